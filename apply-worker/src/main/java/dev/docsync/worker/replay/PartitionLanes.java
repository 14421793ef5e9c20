package dev.docsync.worker.replay;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs each partition's work in order, the partitions side by side on a few threads (partitions are independent: a
 * workspace, its documents, keys and batch ids live on one partition). Work handed over and not yet done is bounded
 * by a byte budget: {@link #submit} waits while the lanes hold that much. The first failure stops every lane; it is
 * thrown by the next {@link #submit} or by {@link #finish}.
 */
final class PartitionLanes implements AutoCloseable {

    private final ExecutorService threads;
    private final Map<Integer, CompletableFuture<Void>> tails = new HashMap<>();
    private final Semaphore budget;
    private final int budgetKib;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    PartitionLanes(int threads, long budgetBytes) {
        AtomicInteger number = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(threads, r -> {
            Thread thread = new Thread(r, "replay-lane-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.budgetKib = (int) Math.max(1, budgetBytes / 1024);
        this.budget = new Semaphore(budgetKib);
    }

    /**
     * Queues {@code work} on {@code partition}'s lane, after the work queued on it before; {@code bytes} is what it
     * holds until done (at most the whole budget is waited for).
     */
    void submit(int partition, long bytes, Runnable work) {
        int permits = (int) Math.min(budgetKib, Math.max(1, bytes / 1024));
        try {
            while (!budget.tryAcquire(permits, 100, TimeUnit.MILLISECONDS)) {
                rethrowFailure();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing work to the replay's lanes", e);
        }
        rethrowFailure();
        CompletableFuture<Void> tail = tails.getOrDefault(partition, CompletableFuture.completedFuture(null));
        tails.put(partition, tail.thenRunAsync(() -> {
            if (failure.get() == null) {
                work.run();
            }
        }, threads).whenComplete((done, thrown) -> {
            budget.release(permits);
            if (thrown != null) {
                failure.compareAndSet(null, unwrapped(thrown));
            }
        }));
    }

    /** Waits at most {@code wait} for every lane to be done: true when they are; throws the first failure. */
    boolean finish(Duration wait) {
        rethrowFailure();
        CompletableFuture<Void> all = CompletableFuture.allOf(tails.values().toArray(CompletableFuture[]::new));
        try {
            all.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            // the stage that failed recorded its failure
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the replay's lanes", e);
        }
        rethrowFailure();
        return true;
    }

    private void rethrowFailure() {
        Throwable thrown = failure.get();
        if (thrown instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (thrown instanceof Error error) {
            throw error;
        }
        if (thrown != null) {
            throw new IllegalStateException(thrown);
        }
    }

    private static Throwable unwrapped(Throwable thrown) {
        return thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
