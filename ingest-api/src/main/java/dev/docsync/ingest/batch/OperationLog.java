package dev.docsync.ingest.batch;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.EventHeaders;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.ingest.IngestProperties;
import dev.docsync.ingest.web.ApiProblem;
import dev.docsync.topic.TopicProperties;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectWriter;

/**
 * The one owner of the producer: appends stamped batches to the operations topic in Kafka transactions
 * (idempotent, acks=all), key = workspace id so a workspace stays on one partition and in order. A caller
 * returns only once the transaction holding its batch is committed; any failure becomes a 503 with
 * Retry-After and leaves nothing visible to read_committed consumers.
 * <p>
 * Group commit: a few append lanes each take the batches that queued up while their previous transaction
 * was in flight and append them in one transaction. A lone caller waits for nothing extra; under load a
 * transaction carries many batches, and the broker's per-transaction work (coordinator writes, commit
 * markers) is paid once for all of them. A failed transaction fails every batch in it, each caller gets
 * its 503 and none of them is visible: all-or-nothing holds per batch because it holds per transaction.
 * <p>
 * A 503 means "not appended" (DESIGN §3.1). The hand-off to a lane is a claim: a caller whose wait runs out
 * withdraws its batch if no lane has claimed it yet (then it is never appended), and otherwise waits for
 * the outcome of the transaction that holds it. When Kafka's answer to the commit is lost, the outcome is
 * unknown and the 503 says so ({@code "outcome": "unknown"}): only a retry with the same Idempotency-Key is safe.
 */
@Component
class OperationLog implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(OperationLog.class);

    /** Bound to the event type once, so writing a record skips the mapper's per-call type lookups. */
    private static final ObjectWriter EVENTS = DocsyncJson.mapper().writerFor(OperationEvent.class);

    /** Bounds one transaction: batches, and events (a batch has at most a few hundred). */
    static final int MAX_BATCHES_PER_TRANSACTION = 64;
    static final int MAX_EVENTS_PER_TRANSACTION = 4_000;
    /** Batches waiting for a lane; beyond it callers get a 503 at once instead of queueing without bound. */
    static final int MAX_QUEUED_BATCHES = 1_000;
    /** How long a batch may wait for a lane to claim it before its caller withdraws it (503, not appended). */
    private static final Duration CLAIM_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Longer than a claimed transaction can take with the producer's timeouts (max.block 5 s, delivery 10 s,
     * sends awaited 10 s): past it the outcome is reported as unknown.
     */
    private static final Duration OUTCOME_TIMEOUT = Duration.ofSeconds(40);

    /** Whether a claimed batch's transaction committed: known not appended, appended, or not known. */
    enum Outcome { NOT_APPENDED, APPENDED, UNKNOWN }

    private static final class Pending {
        private static final int QUEUED = 0;
        private static final int CLAIMED = 1;
        private static final int WITHDRAWN = 2;

        final StampedBatch batch;
        final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        private final AtomicInteger state = new AtomicInteger(QUEUED);

        Pending(StampedBatch batch) {
            this.batch = batch;
        }

        /** By a lane: true when the batch is now its to append. */
        boolean claim() {
            return state.compareAndSet(QUEUED, CLAIMED);
        }

        /** By the caller: true when no lane can append it any more. */
        boolean withdraw() {
            return state.compareAndSet(QUEUED, WITHDRAWN);
        }
    }

    private final KafkaTemplate<String, byte[]> kafka;
    private final TopicProperties topic;
    private final IngestProperties properties;
    private final Duration claimTimeout;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(MAX_QUEUED_BATCHES);
    private final Set<Thread> lanes = ConcurrentHashMap.newKeySet();
    private final AtomicInteger laneNumbers = new AtomicInteger();
    private volatile boolean running = true;

    @Autowired
    OperationLog(KafkaTemplate<String, byte[]> kafka, TopicProperties topic, IngestProperties properties) {
        this(kafka, topic, properties, CLAIM_TIMEOUT);
    }

    OperationLog(KafkaTemplate<String, byte[]> kafka, TopicProperties topic, IngestProperties properties,
            Duration claimTimeout) {
        this.claimTimeout = claimTimeout;
        this.kafka = kafka;
        this.topic = topic;
        this.properties = properties;
        for (int lane = 0; lane < properties.appendLanes(); lane++) {
            startLane();
        }
    }

    /** Returns once the batch is committed to the log; throws a 503 problem when it is not (or not known). */
    void append(StampedBatch batch) {
        if (!running) {
            throw ApiProblem.unavailable("this instance is shutting down; retry later", properties.retryAfter());
        }
        Pending pending = new Pending(batch);
        if (!queue.offer(pending)) {
            throw ApiProblem.unavailable("too many batches are waiting to be appended; retry later",
                    properties.retryAfter());
        }
        Outcome outcome = await(pending);
        switch (outcome) {
            case APPENDED -> {
            }
            case NOT_APPENDED -> throw ApiProblem.unavailable("the operations log is unavailable; the batch was not "
                    + "appended; retry later", properties.retryAfter());
            case UNKNOWN -> throw ApiProblem.unavailable("the operations log did not confirm the append; the batch "
                    + "may or may not be in the log: retry only with the same Idempotency-Key", properties.retryAfter())
                    .with("outcome", "unknown");
        }
    }

    private Outcome await(Pending pending) {
        try {
            try {
                return pending.outcome.get(claimTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (pending.withdraw()) {
                    queue.remove(pending);
                    log.warn("Batch {} was not claimed by an append lane within {}; withdrawn, not appended",
                            pending.batch.batchId(), claimTimeout);
                    return Outcome.NOT_APPENDED;
                }
                return pending.outcome.get(OUTCOME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (TimeoutException e) {
            log.error("Batch {}: its transaction gave no outcome within {}", pending.batch.batchId(), OUTCOME_TIMEOUT);
            return Outcome.UNKNOWN;
        } catch (ExecutionException e) {
            log.error("Batch {}: append failed unexpectedly", pending.batch.batchId(), e.getCause());
            return Outcome.UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return pending.withdraw() ? Outcome.NOT_APPENDED : Outcome.UNKNOWN;
        }
    }

    /** True while every configured lane is alive: readiness goes DOWN when the append path cannot work. */
    boolean lanesAlive() {
        return running && lanes.size() >= properties.appendLanes();
    }

    private void startLane() {
        Thread lane = Thread.ofPlatform().daemon().name("docsync-append-" + laneNumbers.getAndIncrement())
                .unstarted(this::laneBody);
        lanes.add(lane);
        lane.start();
    }

    /** A lane that meets any Throwable (an Error included) is replaced; its batches are told the outcome. */
    private void laneBody() {
        try {
            appendLoop();
        } catch (Throwable failure) {
            log.error("Append lane {} died; starting a new one", Thread.currentThread().getName(), failure);
        } finally {
            lanes.remove(Thread.currentThread());
            if (running) {
                startLane();
            }
        }
    }

    private void appendLoop() throws InterruptedException {
        List<Pending> group = new ArrayList<>();
        while (running) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null || !first.claim()) {
                    continue;
                }
                group.add(first);
                int events = first.batch.events().size();
                Pending next;
                while (group.size() < MAX_BATCHES_PER_TRANSACTION && events < MAX_EVENTS_PER_TRANSACTION
                        && (next = queue.poll()) != null) {
                    if (next.claim()) {
                        group.add(next);
                        events += next.batch.events().size();
                    }
                }
                Outcome outcome = appendInOneTransaction(group);
                group.forEach(p -> p.outcome.complete(outcome));
            } finally {
                // A lane dying mid-transaction cannot say whether the commit happened.
                group.forEach(p -> p.outcome.complete(Outcome.UNKNOWN));
                group.clear();
            }
        }
    }

    /** Appends {@code group} in one transaction; a failure before the commit is known to leave nothing. */
    private Outcome appendInOneTransaction(List<Pending> group) {
        AtomicBoolean committing = new AtomicBoolean();
        try {
            kafka.executeInTransaction(ops -> {
                List<CompletableFuture<SendResult<String, byte[]>>> sends = new ArrayList<>();
                for (Pending pending : group) {
                    for (OperationEvent event : pending.batch.events()) {
                        sends.add(ops.send(record(event)));
                    }
                }
                // Send now rather than after linger.ms: nothing more joins this transaction, and the caller waits.
                ops.flush();
                // Every send acknowledged before the commit: a failure up to here aborts the transaction.
                awaitAll(sends);
                committing.set(true);
                return null;
            });
            log.debug("Appended {} batches in one transaction", group.size());
            return Outcome.APPENDED;
        } catch (RuntimeException e) {
            log.warn("Appending {} batches failed {} the commit: {}", group.size(),
                    committing.get() ? "during" : "before", e.toString());
            return committing.get() ? Outcome.UNKNOWN : Outcome.NOT_APPENDED;
        }
    }

    private static void awaitAll(List<CompletableFuture<SendResult<String, byte[]>>> sends) {
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("a send of the transaction failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending", e);
        }
    }

    private ProducerRecord<String, byte[]> record(OperationEvent event) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic.name(), event.workspaceId(),
                EVENTS.writeValueAsBytes(event));
        record.headers()
                .add(EventHeaders.BATCH_ID, event.batchId().toString().getBytes(StandardCharsets.UTF_8))
                .add(EventHeaders.SEQ, String.valueOf(event.seq()).getBytes(StandardCharsets.UTF_8))
                .add(EventHeaders.COUNT, String.valueOf(event.count()).getBytes(StandardCharsets.UTF_8));
        return record;
    }

    /** After the web server's graceful shutdown: nothing is waiting any more; anything left is refused. */
    @Override
    public void destroy() throws InterruptedException {
        running = false;
        for (Thread lane : List.copyOf(lanes)) {
            lane.join(OUTCOME_TIMEOUT.toMillis());
        }
        Pending left;
        while ((left = queue.poll()) != null) {
            if (left.withdraw()) {
                left.outcome.complete(Outcome.NOT_APPENDED);
            }
        }
    }
}
