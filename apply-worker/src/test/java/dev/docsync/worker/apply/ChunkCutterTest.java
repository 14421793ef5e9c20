package dev.docsync.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.OnConflict;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationType;
import dev.docsync.worker.apply.decide.BatchApplier;
import dev.docsync.worker.apply.decide.GatheredBatch;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ChunkCutterTest {

    private static final long MIB = 1024 * 1024;

    private final PartitionBuffer buffer = new PartitionBuffer(0, 100);
    private final ChunkCutter cutter = new ChunkCutter(32 * MIB);

    private static OperationEvent event(UUID batch, int seq, int count, int contentChars) {
        return new OperationEvent(1, batch, "ws", seq, count, false, "a", Instant.EPOCH, "c" + seq,
                OperationType.CREATE, "d-" + batch + "-" + seq, null,
                new DocumentData("t", "x".repeat(contentChars), null));
    }

    /** What {@code ChunkApplier.apply} does with each record. */
    private void read(OperationEvent event, long offset) {
        long resumeBefore = buffer.resumeOffset(offset);
        if (buffer.add(event, offset, event.stampedAt()) instanceof Gathered.Complete(GatheredBatch complete)) {
            cutter.add(complete, resumeBefore);
        }
    }

    private static List<List<UUID>> ids(List<ChunkCutter.Chunk> chunks) {
        return chunks.stream().map(c -> c.batches().stream().map(GatheredBatch::batchId).toList()).toList();
    }

    @Test
    void aPollOfSmallBatchesIsOneTransaction() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        read(event(a, 0, 1, 200), 100);
        read(event(b, 0, 1, 200), 101);

        List<ChunkCutter.Chunk> chunks = cutter.finish(buffer.resumeOffset(102));

        assertThat(ids(chunks)).containsExactly(List.of(a, b));
        assertThat(chunks.getFirst().next()).isEqualTo(102);
    }

    @Test
    void aPollOfMoreThanTheBoundIsCutAndEachTransactionMovesThePositionOnlyPastWhatItApplied() {
        UUID[] batches = new UUID[5];
        for (int i = 0; i < batches.length; i++) {
            batches[i] = UUID.randomUUID();
            read(event(batches[i], 0, 1, (int) (10 * MIB)), 100 + i);
        }

        List<ChunkCutter.Chunk> chunks = cutter.finish(buffer.resumeOffset(105));

        // 10 MiB each: three fit into 32 MiB, the fourth would not.
        assertThat(ids(chunks)).containsExactly(List.of(batches[0], batches[1], batches[2]),
                List.of(batches[3], batches[4]));
        assertThat(chunks).extracting(ChunkCutter.Chunk::next).containsExactly(103L, 105L);
    }

    @Test
    void aBatchLargerThanTheBoundIsATransactionOfItsOwn() {
        ChunkCutter small = new ChunkCutter(MIB);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        small.add(batch(a, 2 * MIB), 100);
        small.add(batch(b, 2 * MIB), 101);

        assertThat(ids(small.finish(102))).containsExactly(List.of(a), List.of(b));
    }

    @Test
    void aCutNeverMovesThePositionPastABatchThatIsStillGathering() {
        UUID open = UUID.randomUUID();
        UUID[] big = {UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID()};
        read(event(open, 0, 2, 10), 100); // its second event comes last
        for (int i = 0; i < big.length; i++) {
            read(event(big[i], 0, 1, (int) (10 * MIB)), 101 + i);
        }
        read(event(open, 1, 2, 10), 105);

        List<ChunkCutter.Chunk> chunks = cutter.finish(buffer.resumeOffset(106));

        assertThat(ids(chunks)).containsExactly(List.of(big[0], big[1], big[2]), List.of(big[3], open));
        // Had the poll ended before big[3]'s record, it would resume at the open batch's first event.
        assertThat(chunks).extracting(ChunkCutter.Chunk::next).containsExactly(100L, 106L);
    }

    @Test
    void aBatchWeighsItsDataAndAFixedOverheadPerEvent() {
        UUID id = UUID.randomUUID();
        GatheredBatch batch = new GatheredBatch(List.of(event(id, 0, 2, 1000), event(id, 1, 2, 0)),
                new dev.docsync.projection.apply.LogPosition(0, 1));

        assertThat(ChunkCutter.bytes(batch)).isEqualTo(2 * ChunkCutter.EVENT_OVERHEAD_BYTES + 1000 + 1 + 1);
    }

    /**
     * A batch that may merge reads base and current content and makes merged bodies that its events do not hold:
     * its transaction reserves the most its merges may read and make (issue 23), whatever its events weigh.
     */
    @Test
    void aBatchThatMayMergeReservesWhatItsMergesMayReadAndMake() {
        UUID id = UUID.randomUUID();
        OperationEvent merging = new OperationEvent(1, id, "ws", 0, 1, false, "a", Instant.EPOCH, "c0",
                OperationType.UPDATE, "d", 3L, new DocumentData(null, "x".repeat(1000), null), null, OnConflict.MERGE);
        GatheredBatch batch = new GatheredBatch(List.of(merging), new dev.docsync.projection.apply.LogPosition(0, 1));

        assertThat(ChunkCutter.bytes(batch)).isEqualTo(ChunkCutter.EVENT_OVERHEAD_BYTES + 1000
                + BatchApplier.mergeReserveBytes(batch));
        assertThat(BatchApplier.mergeReserveBytes(batch)).isGreaterThanOrEqualTo(2 * 4 * MIB + 1000);

        ChunkCutter cutter = new ChunkCutter(10 * MIB);
        UUID other = UUID.randomUUID();
        cutter.add(batch, 100);
        cutter.add(new GatheredBatch(List.of(new OperationEvent(1, other, "ws", 0, 1, false, "a", Instant.EPOCH,
                "c0", OperationType.UPDATE, "e", 3L, new DocumentData("t", null, null), null, OnConflict.MERGE)),
                new dev.docsync.projection.apply.LogPosition(0, 2)), 101);
        assertThat(ids(cutter.finish(102))).containsExactly(List.of(id), List.of(other));
    }

    @Test
    void aBatchThatDoesNotAskToMergeReservesNothing() {
        UUID id = UUID.randomUUID();
        GatheredBatch reporting = new GatheredBatch(List.of(new OperationEvent(1, id, "ws", 0, 1, false, "a",
                Instant.EPOCH, "c0", OperationType.UPDATE, "d", 3L, new DocumentData("t", null, null), null,
                OnConflict.REPORT)), new dev.docsync.projection.apply.LogPosition(0, 1));

        assertThat(BatchApplier.mergeReserveBytes(reporting)).isZero();
        assertThat(ChunkCutter.bytes(reporting)).isEqualTo(ChunkCutter.EVENT_OVERHEAD_BYTES + 1);
    }

    private static GatheredBatch batch(UUID id, long contentBytes) {
        return new GatheredBatch(List.of(event(id, 0, 1, (int) contentBytes)),
                new dev.docsync.projection.apply.LogPosition(0, 1));
    }
}
