package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static dev.docsync.local.Batches.update;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Offline-first clients under fault: each owns a workspace and pushes batches one after the other with
 * {@code Prefer: respond-async} and an {@code Idempotency-Key}. A batch counts as acknowledged when ingest
 * answers 200 or 202; anything else (503 while the log is away, a refused connection, a timeout) is retried
 * with the same key and body, after the server's {@code Retry-After}, until it is acknowledged. A poller per
 * client follows its acknowledged batches to {@code completed}, timing 202 → completed.
 * <p>
 * Batch {@code n} of a workspace creates four documents and moves the workspace's {@code ledger} document from
 * version {@code n} to {@code n + 1} (batch 0 creates it), atomically: any batch lost, applied twice or out of
 * order breaks the ledger's version chain.
 */
final class WriteLoad implements AutoCloseable {

    static final int OPERATIONS_PER_BATCH = 5;
    /**
     * A client has at most this many batches acknowledged but not yet seen completed, as an app that syncs a
     * queue would; it bounds the backlog a dead worker leaves, so the load stays sized for two cores.
     */
    static final int WINDOW = 4;
    /**
     * A client's think time between two batches: ~10 batches/s per client, which leaves the two cores room for
     * the workers that fault tests start under load (unpaced, a 2-minute test acknowledged 12,000 batches and
     * starting a worker took 30 s).
     */
    private static final Duration THINK_TIME = Duration.ofMillis(100);
    /**
     * How often a client asks for its oldest unconfirmed batch, as an app polling its queue would. At 20 ms the
     * fault suites' pollers sent ~400 requests/s for their whole run, CPU the two cores need for failovers; the
     * 202 → completed figures are as coarse as this.
     */
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(2);

    /** An acknowledged batch: the id ingest answered with, and its place in its workspace's order. */
    record Ack(String workspace, int ordinal, UUID batchId, long ackedAtNanos) {
    }

    /** Every client starts on one of these (spread evenly) and moves to the next when its instance is unreachable. */
    private final List<Api> apis;
    private final Map<String, AtomicInteger> instanceOf = new ConcurrentHashMap<>();
    private final DevTokens tokens;
    private final List<String> workspaces = new ArrayList<>();
    private final Map<String, List<Ack>> acks = new ConcurrentHashMap<>();
    private final Map<String, ConcurrentLinkedQueue<Ack>> pending = new ConcurrentHashMap<>();
    private final Histogram toCompleted = new ConcurrentHistogram(3);
    private final AtomicBoolean submitting = new AtomicBoolean(true);
    private final AtomicBoolean polling = new AtomicBoolean(true);
    private final AtomicInteger unavailable = new AtomicInteger();
    private final AtomicInteger unavailableWithoutRetryAfter = new AtomicInteger();
    private final AtomicLong firstUnavailableNanos = new AtomicLong();
    private final AtomicLong lastUnavailableNanos = new AtomicLong();
    private final AtomicInteger failovers = new AtomicInteger();
    private final AtomicInteger unknownBatchPolls = new AtomicInteger();
    private volatile boolean receiptsMayBeLost;
    private final AtomicInteger transportErrors = new AtomicInteger();
    private final AtomicInteger unexpected = new AtomicInteger();
    private final List<String> unexpectedSamples = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    WriteLoad(Api api, DevTokens tokens, String prefix, int clients) {
        this(List.of(api), tokens, prefix, clients);
    }

    WriteLoad(List<Api> apis, DevTokens tokens, String prefix, int clients) {
        this.apis = List.copyOf(apis);
        this.tokens = tokens;
        for (int c = 0; c < clients; c++) {
            String workspace = Batches.workspace(prefix + c);
            workspaces.add(workspace);
            instanceOf.put(workspace, new AtomicInteger(c % apis.size()));
            acks.put(workspace, new CopyOnWriteArrayList<>());
            pending.put(workspace, new ConcurrentLinkedQueue<>());
        }
    }

    /**
     * PostgreSQL will be away: a 202's receipt may then not be written, and polling that batch answers 404 until
     * the worker has applied it (docs/decisions.md, failure behaviour). Such polls count as "not yet", not as
     * unexpected answers; {@link #unknownBatchPolls()} says how many there were.
     */
    WriteLoad receiptsMayBeLost() {
        receiptsMayBeLost = true;
        return this;
    }

    int unknownBatchPolls() {
        return unknownBatchPolls.get();
    }

    WriteLoad start() {
        for (String workspace : workspaces) {
            String token = tokens.mint("client-" + workspace, Map.of(workspace, "editor"), Duration.ofHours(1));
            threads.add(Thread.ofVirtual().name("submit-" + workspace).start(() -> submitLoop(workspace, token)));
            threads.add(Thread.ofVirtual().name("poll-" + workspace).start(() -> pollLoop(workspace, token)));
        }
        return this;
    }

    /** Blocks until at least {@code count} batches are acknowledged in total (a fault strikes under load). */
    void awaitAcknowledged(int count, Duration atMost) {
        org.awaitility.Awaitility.await("at least " + count + " acknowledged batches").atMost(atMost)
                .until(() -> acknowledged() >= count);
    }

    /** Stops starting new batches, waits for the ones in flight to be acknowledged, then for all to complete. */
    void finish(Duration atMost) throws InterruptedException {
        submitting.set(false);
        long deadline = System.nanoTime() + atMost.toNanos();
        try {
            org.awaitility.Awaitility.await("every acknowledged batch completed").atMost(atMost)
                    .until(() -> threads.stream().filter(t -> t.getName().startsWith("submit-"))
                            .noneMatch(Thread::isAlive)
                            && pending.values().stream().allMatch(ConcurrentLinkedQueue::isEmpty));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // Not every batch completed: the checker says which ones are lost.
        }
        polling.set(false);
        for (Thread thread : threads) {
            thread.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
    }

    /**
     * Blocks until the clients hold at least {@code count} acknowledged batches not yet completed: with no
     * worker running, that is a backlog waiting in the log.
     */
    void awaitBacklog(int count, Duration atMost) {
        org.awaitility.Awaitility.await("a backlog of " + count + " batches").atMost(atMost)
                .until(() -> pending.values().stream().mapToInt(ConcurrentLinkedQueue::size).sum() >= count);
    }

    int acknowledged() {
        return acks.values().stream().mapToInt(List::size).sum();
    }

    Map<String, List<Ack>> acks() {
        return acks;
    }

    List<String> workspaces() {
        return workspaces;
    }

    int unavailableAnswers() {
        return unavailable.get();
    }

    int unavailableWithoutRetryAfter() {
        return unavailableWithoutRetryAfter.get();
    }

    /**
     * How long clients saw 503s: from the first to the last one this load was answered (0 when none).
     */
    Duration unavailableSpan() {
        long first = firstUnavailableNanos.get();
        return first == 0 ? Duration.ZERO : Duration.ofNanos(lastUnavailableNanos.get() - first);
    }

    /** Times a client moved to another ingest instance because its own could not be reached. */
    int failovers() {
        return failovers.get();
    }

    /** The 202 → completed latency at a percentile, in ms. */
    long latencyMillis(double percentile) {
        return toCompleted.getValueAtPercentile(percentile);
    }

    long maxLatencyMillis() {
        return toCompleted.getMaxValue();
    }

    int transportErrors() {
        return transportErrors.get();
    }

    int unexpectedAnswers() {
        return unexpected.get();
    }

    List<String> unexpectedSamples() {
        return unexpectedSamples;
    }

    String latencySummary() {
        return "202→completed p50 %d ms, p99 %d ms, max %d ms (%d batches)".formatted(
                toCompleted.getValueAtPercentile(50), toCompleted.getValueAtPercentile(99),
                toCompleted.getMaxValue(), toCompleted.getTotalCount());
    }

    static String body(String workspace, int ordinal) {
        List<Map<String, Object>> operations = new ArrayList<>();
        for (char c = 'a'; c < 'a' + OPERATIONS_PER_BATCH - 1; c++) {
            operations.add(create(ordinal + "-" + c, "n" + ordinal + c, "batch " + ordinal));
        }
        operations.add(ordinal == 0 ? create("0-ledger", "ledger", "after batch 0")
                : update(ordinal + "-ledger", "ledger", (long) ordinal, "after batch " + ordinal));
        return batch(workspace, true, operations);
    }

    private void submitLoop(String workspace, String token) {
        ConcurrentLinkedQueue<Ack> unconfirmed = pending.get(workspace);
        for (int ordinal = 0; submitting.get(); ordinal++) {
            while (unconfirmed.size() >= WINDOW && submitting.get()) {
                pause(Duration.ofMillis(20));
            }
            if (!submitting.get()) {
                return;
            }
            if (ordinal > 0) {
                pause(THINK_TIME);
            }
            String body = body(workspace, ordinal);
            String key = workspace + "-" + ordinal;
            UUID acked = submitUntilAcknowledged(workspace, token, body, key);
            Ack ack = new Ack(workspace, ordinal, acked, System.nanoTime());
            acks.get(workspace).add(ack);
            pending.get(workspace).add(ack);
        }
    }

    private UUID submitUntilAcknowledged(String workspace, String token, String body, String key) {
        while (!Thread.currentThread().isInterrupted()) {
            int instance = instanceOf.get(workspace).get();
            try {
                Api.Response response = apis.get(instance % apis.size()).postBatch(token, body,
                        Map.of("Prefer", "respond-async", "Idempotency-Key", key));
                if (response.status() == 200 || response.status() == 202) {
                    return UUID.fromString(response.json().get("batch_id").asString());
                }
                if (response.status() == 503) {
                    unavailable.incrementAndGet();
                    long now = System.nanoTime();
                    firstUnavailableNanos.compareAndSet(0, now);
                    lastUnavailableNanos.accumulateAndGet(now, Math::max);
                    String retryAfter = response.header("Retry-After");
                    if (retryAfter == null) {
                        unavailableWithoutRetryAfter.incrementAndGet();
                    }
                    pause(retryAfter == null ? Duration.ofSeconds(1)
                            : min(Duration.ofSeconds(Long.parseLong(retryAfter)), MAX_RETRY_AFTER));
                } else {
                    noteUnexpected("POST " + key + " → " + response.status() + " " + response.text());
                    pause(Duration.ofMillis(200));
                }
            } catch (UncheckedIOException e) {
                transportErrors.incrementAndGet();
                failOver(workspace, instance);
                pause(Duration.ofMillis(200));
            }
        }
        throw new IllegalStateException("load closed before " + key + " was acknowledged");
    }

    private void pollLoop(String workspace, String token) {
        ConcurrentLinkedQueue<Ack> queue = pending.get(workspace);
        while (polling.get() && !Thread.currentThread().isInterrupted()) {
            Ack head = queue.peek();
            if (head == null) {
                pause(Duration.ofMillis(20));
                continue;
            }
            int instance = instanceOf.get(workspace).get();
            try {
                Api.Response response = apis.get(instance % apis.size()).get(token, "/api/v1/batches/" + head.batchId());
                if (response.status() == 200 && "completed".equals(response.json().get("status").asString())) {
                    toCompleted.recordValue(Math.max(0, (System.nanoTime() - head.ackedAtNanos()) / 1_000_000));
                    queue.poll();
                    continue;
                }
                if (response.status() == 404 && receiptsMayBeLost) {
                    unknownBatchPolls.incrementAndGet();
                } else if (response.status() != 200 && response.status() != 503) {
                    noteUnexpected("GET " + head.batchId() + " → " + response.status() + " " + response.text());
                }
            } catch (UncheckedIOException e) {
                transportErrors.incrementAndGet();
                failOver(workspace, instance);
            }
            pause(POLL_INTERVAL);
        }
    }

    /** An instance that cannot be reached: the client retries on the next one, as a load balancer would. */
    private void failOver(String workspace, int failed) {
        if (apis.size() > 1 && instanceOf.get(workspace).compareAndSet(failed, failed + 1)) {
            failovers.incrementAndGet();
        }
    }

    private void noteUnexpected(String what) {
        if (unexpected.incrementAndGet() <= 5) {
            unexpectedSamples.add(what);
        }
    }

    /** The client's own pacing (poll interval, Retry-After): a client waiting between requests, not a test. */
    private static void pause(Duration duration) {
        LockSupport.parkNanos(duration.toNanos());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void close() {
        submitting.set(false);
        polling.set(false);
        threads.forEach(Thread::interrupt);
    }
}
