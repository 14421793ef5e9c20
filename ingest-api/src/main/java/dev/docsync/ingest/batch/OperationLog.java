package dev.docsync.ingest.batch;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.EventHeaders;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.ingest.IngestProperties;
import dev.docsync.ingest.web.ApiProblem;
import dev.docsync.log.TopicProperties;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;

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
 */
@Component
class OperationLog implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(OperationLog.class);

    /** Bounds one transaction: batches, and events (a batch has at most a few hundred). */
    static final int MAX_BATCHES_PER_TRANSACTION = 64;
    static final int MAX_EVENTS_PER_TRANSACTION = 4_000;
    /**
     * Longer than a transaction can take with the producer's timeouts (max.block 5 s, delivery 10 s), so a
     * caller is not told 503 for a batch that then commits.
     */
    private static final long APPEND_TIMEOUT_SECONDS = 30;

    private record Pending(StampedBatch batch, CompletableFuture<Void> appended) {
    }

    private final KafkaTemplate<String, byte[]> kafka;
    private final TopicProperties topic;
    private final IngestProperties properties;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Thread> lanes = new ArrayList<>();
    private volatile boolean running = true;

    OperationLog(KafkaTemplate<String, byte[]> kafka, TopicProperties topic, IngestProperties properties) {
        this.kafka = kafka;
        this.topic = topic;
        this.properties = properties;
        for (int lane = 0; lane < properties.appendLanes(); lane++) {
            lanes.add(Thread.ofPlatform().daemon().name("docsync-append-" + lane).start(this::appendLoop));
        }
    }

    void append(StampedBatch batch) {
        Pending pending = new Pending(batch, new CompletableFuture<>());
        if (!running) {
            throw ApiProblem.unavailable("this instance is shutting down; retry later", properties.retryAfter());
        }
        queue.add(pending);
        try {
            pending.appended().get(APPEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable reason = e instanceof ExecutionException ? e.getCause() : e;
            log.warn("Appending batch {} failed: {}", batch.batchId(), reason.toString());
            throw ApiProblem.unavailable("the operations log is unavailable; retry later", properties.retryAfter());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiProblem.unavailable("interrupted while appending to the log", properties.retryAfter());
        }
    }

    private void appendLoop() {
        List<Pending> group = new ArrayList<>();
        while (running) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                int events = first.batch().events().size();
                Pending next;
                while (group.size() < MAX_BATCHES_PER_TRANSACTION && events < MAX_EVENTS_PER_TRANSACTION
                        && (next = queue.poll()) != null) {
                    group.add(next);
                    events += next.batch().events().size();
                }
                appendInOneTransaction(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } finally {
                group.forEach(p -> p.appended().completeExceptionally(new IllegalStateException("not appended")));
                group.clear();
            }
        }
    }

    private void appendInOneTransaction(List<Pending> group) throws InterruptedException {
        try {
            List<CompletableFuture<SendResult<String, byte[]>>> sent = kafka.executeInTransaction(ops -> {
                List<CompletableFuture<SendResult<String, byte[]>>> sends = new ArrayList<>();
                for (Pending pending : group) {
                    for (OperationEvent event : pending.batch().events()) {
                        sends.add(ops.send(record(event)));
                    }
                }
                return sends;
            });
            // Committed means every send succeeded; looking at each result keeps that an explicit check.
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            log.debug("Appended {} batches in one transaction", group.size());
            group.forEach(p -> p.appended().complete(null));
        } catch (RuntimeException | ExecutionException | TimeoutException e) {
            group.forEach(p -> p.appended().completeExceptionally(e));
        }
    }

    private ProducerRecord<String, byte[]> record(OperationEvent event) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic.name(), event.workspaceId(),
                DocsyncJson.mapper().writeValueAsBytes(event));
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
        for (Thread lane : lanes) {
            lane.join(TimeUnit.SECONDS.toMillis(APPEND_TIMEOUT_SECONDS));
        }
        Pending left;
        while ((left = queue.poll()) != null) {
            left.appended().completeExceptionally(new IllegalStateException("shutting down"));
        }
    }
}
