package dev.docsync.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.ErrorCode;
import dev.docsync.contracts.EventHeaders;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationResult;
import dev.docsync.contracts.OperationType;
import dev.docsync.contracts.ResultStatus;
import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.DocumentKey;
import dev.docsync.projection.apply.FencedOutException;
import dev.docsync.projection.apply.RefusedWrite;
import dev.docsync.projection.batches.IdempotencyRule;
import dev.docsync.worker.apply.decide.BatchDecider;
import dev.docsync.worker.apply.decide.GatheredBatch;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.dao.TransientDataAccessResourceException;

/** The apply on an in-memory projection: what one chunk decides, isolates and rejects, and where it leaves the position. */
class ChunkApplierTest {

    private static final Instant T = Instant.parse("2026-12-03T00:00:00Z");
    private static final String WS = "ws";

    private final InMemoryChunkStore store = new InMemoryChunkStore();
    private final ChunkApplier applier = new ChunkApplier(store,
            value -> DocsyncJson.mapper().readValue(value, OperationEvent.class),
            new BatchDecider(new IdempotencyRule(Duration.ofHours(24))), 32L * 1024 * 1024,
            Clock.fixed(T, ZoneOffset.UTC), schema -> {
                throw new UnsupportedOperationException("no other schemas here");
            }, () -> {
            });
    private final List<String> unreadable = new ArrayList<>();
    private final List<String> unappliable = new ArrayList<>();
    private final ChunkApplier.Rejections rejections = new ChunkApplier.Rejections() {
        @Override
        public void unreadable(ConsumerRecord<String, byte[]> record, RuntimeException reason) {
            unreadable.add(record.offset() + ": " + reason.getClass().getSimpleName());
        }

        @Override
        public void unappliable(GatheredBatch batch, RefusedWrite reason) {
            unappliable.add(batch.batchId() + ": " + reason.sqlState());
        }
    };

    private long offset;

    private static OperationEvent create(UUID batch, int seq, int count, String documentId) {
        return new OperationEvent(1, batch, WS, seq, count, false, "alice", T, "c" + seq, OperationType.CREATE,
                documentId, null, new DocumentData("title " + documentId, "content", null));
    }

    private static OperationEvent update(UUID batch, String documentId, long baseVersion) {
        return new OperationEvent(1, batch, WS, 0, 1, false, "alice", T, "u", OperationType.UPDATE, documentId,
                baseVersion, new DocumentData("new title", null, null));
    }

    private ConsumerRecord<String, byte[]> record(OperationEvent event) {
        return new ConsumerRecord<>("ops", 0, offset++, WS, DocsyncJson.mapper().writeValueAsBytes(event));
    }

    /** A record that is no event, whose headers still name its batch and place. */
    private ConsumerRecord<String, byte[]> garbage(UUID batch, int seq, int count) {
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("ops", 0, offset++, WS,
                "not json".getBytes(StandardCharsets.UTF_8));
        record.headers().add(EventHeaders.BATCH_ID, batch.toString().getBytes(StandardCharsets.UTF_8));
        record.headers().add(EventHeaders.SEQ, String.valueOf(seq).getBytes(StandardCharsets.UTF_8));
        record.headers().add(EventHeaders.COUNT, String.valueOf(count).getBytes(StandardCharsets.UTF_8));
        return record;
    }

    private static List<ResultStatus> statuses(AppliedBatch batch) {
        return batch.result().results().stream().map(OperationResult::status).toList();
    }

    @Test
    void decidesTheBatchesOfAChunkInOneTransactionAndMovesThePositionPastThem() {
        PartitionBuffer partition = applier.resume(0);
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();

        List<AppliedBatch> applied = applier.apply(partition,
                List.of(record(create(first, 0, 1, "d")), record(update(second, "d", 1))), rejections);

        assertThat(applied).extracting(b -> b.result().batchId()).containsExactly(first, second);
        assertThat(applied).allSatisfy(b -> assertThat(statuses(b)).containsExactly(ResultStatus.SUCCESS));
        assertThat(store.heads.get(new DocumentKey(WS, "d")).version()).isEqualTo(2);
        assertThat(store.transactions).isEqualTo(1);
        assertThat(store.positions.get(0)).isEqualTo(2);
        assertThat(partition.committed()).isEqualTo(2);
    }

    @Test
    void aBatchAlreadyAppliedIsSkippedWhenItsRecordsComeAgain() {
        UUID batch = UUID.randomUUID();
        OperationEvent event = create(batch, 0, 1, "d");
        applier.apply(applier.resume(0), List.of(record(event)), rejections);

        List<AppliedBatch> again = applier.apply(applier.resume(0), List.of(record(event)), rejections);

        assertThat(again).isEmpty();
        assertThat(store.results).hasSize(1);
        assertThat(store.positions.get(0)).isEqualTo(2);
    }

    @Test
    void anIncompleteBatchHoldsThePositionAtItsFirstRecordUntilItCompletes() {
        PartitionBuffer partition = applier.resume(0);
        UUID batch = UUID.randomUUID();

        assertThat(applier.apply(partition, List.of(record(create(batch, 0, 2, "a"))), rejections)).isEmpty();
        assertThat(store.positions.get(0)).isZero();

        assertThat(applier.apply(partition, List.of(record(create(batch, 1, 2, "b"))), rejections)).hasSize(1);
        assertThat(store.positions.get(0)).isEqualTo(2);
    }

    @Test
    void aBatchTheProjectionRefusesIsRejectedAloneWhileTheOthersOfItsChunkApply() {
        UUID before = UUID.randomUUID();
        UUID refused = UUID.randomUUID();
        UUID after = UUID.randomUUID();
        store.refuses = b -> b.result().batchId().equals(refused) && !b.changes().isEmpty();

        List<AppliedBatch> applied = applier.apply(applier.resume(0), List.of(record(create(before, 0, 1, "a")),
                record(create(refused, 0, 1, "poison")), record(create(after, 0, 1, "c"))), rejections);

        assertThat(applied).extracting(b -> b.result().batchId()).containsExactly(before, refused, after);
        assertThat(statuses(applied.get(1))).containsExactly(ResultStatus.ERROR);
        assertThat(applied.get(1).result().results().getFirst().error().code()).isEqualTo(ErrorCode.UNAPPLIABLE);
        assertThat(store.heads).containsOnlyKeys(new DocumentKey(WS, "a"), new DocumentKey(WS, "c"));
        assertThat(store.results).containsKeys(before, refused, after);
        assertThat(unappliable).containsExactly(refused + ": 22001");
        assertThat(store.positions.get(0)).isEqualTo(3);
        assertThat(store.transactions).isEqualTo(2); // the chunk, refused; then batch by batch
    }

    @Test
    void aBatchWhoseRejectionCannotBeStoredEitherIsOnlyDeadLetteredAndThePartitionMovesOn() {
        UUID refused = UUID.randomUUID();
        UUID after = UUID.randomUUID();
        store.refuses = b -> b.result().batchId().equals(refused);

        List<AppliedBatch> applied = applier.apply(applier.resume(0),
                List.of(record(create(refused, 0, 1, "poison")), record(create(after, 0, 1, "c"))), rejections);

        assertThat(applied).hasSize(2);
        assertThat(store.results).containsOnlyKeys(after);
        assertThat(unappliable).containsExactly(refused + ": 22001");
        assertThat(store.positions.get(0)).isEqualTo(2);
    }

    @Test
    void anUnreadableEventIsReportedAndRejectsItsWholeBatch() {
        UUID batch = UUID.randomUUID();

        List<AppliedBatch> applied = applier.apply(applier.resume(0),
                List.of(record(create(batch, 0, 2, "a")), garbage(batch, 1, 2)), rejections);

        assertThat(unreadable).hasSize(1).first().asString().startsWith("1: ");
        assertThat(applied).singleElement().satisfies(b -> {
            assertThat(b.result().batchId()).isEqualTo(batch);
            assertThat(b.result().results()).extracting(r -> r.error().code())
                    .containsOnly(ErrorCode.UNREADABLE_EVENT);
            assertThat(b.changes()).isEmpty();
        });
        assertThat(store.heads).isEmpty();
        assertThat(store.positions.get(0)).isEqualTo(2);
    }

    @Test
    void aWorkerWhosePositionIsStaleIsFencedAndWritesNothing() {
        store.positions.put(0, 5L);
        PartitionBuffer zombie = applier.at(0, 3);
        offset = 3;

        assertThatThrownBy(() -> applier.apply(zombie, List.of(record(create(UUID.randomUUID(), 0, 1, "z"))),
                rejections)).isInstanceOf(FencedOutException.class);

        assertThat(store.results).isEmpty();
        assertThat(store.positions.get(0)).isEqualTo(5);
    }

    @Test
    void aTransientFailureRollsTheChunkBackAndLeavesThePositionToBeReadAgain() {
        PartitionBuffer partition = applier.resume(0);
        store.failure = new TransientDataAccessResourceException("connection lost");

        assertThatThrownBy(() -> applier.apply(partition, List.of(record(create(UUID.randomUUID(), 0, 1, "d"))),
                rejections)).isInstanceOf(TransientDataAccessResourceException.class);

        assertThat(store.results).isEmpty();
        assertThat(store.positions.get(0)).isZero();
        assertThat(partition.committed()).isZero();
        assertThat(unappliable).isEmpty();
    }
}
