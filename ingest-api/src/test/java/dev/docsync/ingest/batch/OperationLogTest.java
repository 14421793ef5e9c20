package dev.docsync.ingest.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationType;
import dev.docsync.ingest.IngestProperties;
import dev.docsync.ingest.web.ApiProblem;
import dev.docsync.topic.TopicProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.util.unit.DataSize;

/**
 * The claim protocol of the append path, with a stand-in for the Kafka template (a pure unit test: the real
 * producer is exercised by the integration suite). A 503 must mean "not appended".
 */
class OperationLogTest {

    private final ControllableKafka kafka = new ControllableKafka();
    private final OperationLog log = new OperationLog(kafka,
            new TopicProperties("t", 1, (short) 1, false), properties(1), Duration.ofMillis(300));

    @AfterEach
    void stop() throws InterruptedException {
        kafka.release.countDown();
        log.destroy();
    }

    @Test
    void aBatchNoLaneClaimedInTimeIsWithdrawnAndNeverAppended() throws Exception {
        StampedBatch blocking = batch();
        StampedBatch waiting = batch();
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> log.append(blocking));
        await().until(() -> kafka.inTransaction.contains(blocking.batchId()));

        assertThatThrownBy(() -> log.append(waiting)).isInstanceOfSatisfying(ApiProblem.class,
                p -> assertThat(p.detail().getStatus()).isEqualTo(503));
        kafka.release.countDown();
        first.get();

        assertThat(kafka.appended).contains(blocking.batchId()).doesNotContain(waiting.batchId());
        log.append(batch()); // the lane goes on, and never meets the withdrawn batch
        assertThat(kafka.appended).doesNotContain(waiting.batchId());
    }

    @Test
    void aCommitWhoseAnswerIsLostIsOutcomeUnknown() {
        kafka.release.countDown();
        kafka.failCommit.set(new org.apache.kafka.common.errors.TimeoutException("commit answer lost"));

        assertThatThrownBy(() -> log.append(batch())).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.detail().getStatus()).isEqualTo(503);
            assertThat(p.detail().getProperties()).containsEntry("outcome", "unknown");
        });
    }

    @Test
    void aLaneThatMeetsAnErrorIsReplaced() {
        kafka.release.countDown();
        kafka.failCommit.set(new OutOfMemoryError("simulated"));

        assertThatThrownBy(() -> log.append(batch())).isInstanceOf(ApiProblem.class);
        kafka.failCommit.set(null);
        await().until(log::lanesAlive);
        log.append(batch());

        assertThat(kafka.appended).hasSize(1);
    }

    private static StampedBatch batch() {
        UUID id = UUID.randomUUID();
        return new StampedBatch(id, "ws", "a", Instant.now(), List.of(new OperationEvent(1, id, "ws", 0, 1, false, "a",
                Instant.now(), "c", OperationType.CREATE, "d", null, DocumentData.EMPTY)));
    }

    private static IngestProperties properties(int lanes) {
        return new IngestProperties(Duration.ofSeconds(30), Duration.ofSeconds(120), 100, DataSize.ofMegabytes(10),
                10_000, Duration.ofSeconds(2), 1024, 10_485_760, 10_485_760, lanes,
                DataSize.ofMegabytes(96));
    }

    /** Sends "succeed" at once; a transaction waits for {@code release}; a commit may be made to fail. */
    private static final class ControllableKafka extends KafkaTemplate<String, byte[]> {
        final CountDownLatch release = new CountDownLatch(1);
        final Set<UUID> inTransaction = ConcurrentHashMap.newKeySet();
        final Set<UUID> appended = ConcurrentHashMap.newKeySet();
        final AtomicReference<Throwable> failCommit = new AtomicReference<>();

        ControllableKafka() {
            super(new DefaultKafkaProducerFactory<>(Map.of()));
        }

        @Override
        public CompletableFuture<SendResult<String, byte[]>> send(ProducerRecord<String, byte[]> record) {
            inTransaction.add(UUID.fromString(new String(record.headers().lastHeader("batch-id").value())));
            return CompletableFuture.completedFuture(new SendResult<>(record, null));
        }

        @Override
        public void flush() {
            // every send completed at once: nothing is waiting to be sent
        }

        @Override
        public <T> T executeInTransaction(OperationsCallback<String, byte[], T> callback) {
            T result = callback.doInOperations(this);
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Throwable failure = failCommit.get();
            if (failure != null) {
                inTransaction.clear(); // aborted: nothing of it is appended
            }
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure instanceof Error error) {
                throw error;
            }
            appended.addAll(inTransaction);
            inTransaction.clear();
            return result;
        }
    }
}
