package dev.docsync.ingest.batch;

import dev.docsync.ingest.IngestMetrics;
import dev.docsync.ingest.IngestProperties;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Synchronous callers waiting for their batch's result in this instance. Bounded (beyond the limit a caller
 * gets 202 at once) and self-cleaning (a waiter leaves the map when its request ends). Only an optimisation:
 * results are read from PostgreSQL, a signal just says "look now".
 */
@Component
class BatchWaiters implements SmartLifecycle {

    /** Stops just before the web server's graceful shutdown starts waiting for the requests in flight. */
    static final int PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 1;

    private final Map<UUID, Waiter> waiting = new ConcurrentHashMap<>();
    private final int capacity;
    private volatile boolean running;
    private volatile boolean closing;

    BatchWaiters(IngestProperties properties, IngestMetrics metrics) {
        this.capacity = properties.maxWaiters();
        metrics.waitingCallers(waiting::size);
    }

    /**
     * A waiter for {@code batchId}; none when this instance already has as many waiters as it allows or is shutting
     * down.
     */
    Optional<Waiter> register(UUID batchId) {
        if (closing || waiting.size() >= capacity) {
            return Optional.empty();
        }
        Waiter waiter = new Waiter(batchId);
        waiting.put(batchId, waiter);
        return Optional.of(waiter);
    }

    void signal(UUID batchId) {
        Waiter waiter = waiting.get(batchId);
        if (waiter != null) {
            waiter.signal();
        }
    }

    /** Wake everyone to re-check the database, e.g. after the signal connection was re-established. */
    void wakeAll() {
        waiting.values().forEach(Waiter::signal);
    }

    /** True once the instance is shutting down: waiting callers are answered 202 at once. */
    boolean closing() {
        return closing;
    }

    @Override
    public void start() {
        running = true;
    }

    /** Graceful shutdown: every waiting caller stops waiting and gets 202 + Location; nothing new waits. */
    @Override
    public void stop() {
        closing = true;
        running = false;
        wakeAll();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    final class Waiter implements AutoCloseable {
        private final UUID batchId;
        private volatile CompletableFuture<Void> signal = new CompletableFuture<>();

        private Waiter(UUID batchId) {
            this.batchId = batchId;
        }

        /** True when signalled within {@code timeout}. */
        boolean await(Duration timeout) {
            try {
                signal.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Ready for the next signal; call before re-checking the database so no signal can fall between. */
        void rearm() {
            signal = new CompletableFuture<>();
        }

        private void signal() {
            signal.complete(null);
        }

        @Override
        public void close() {
            waiting.remove(batchId, this);
        }
    }
}
