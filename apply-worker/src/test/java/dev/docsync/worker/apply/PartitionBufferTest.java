package dev.docsync.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationType;
import dev.docsync.projection.apply.LogPosition;
import dev.docsync.worker.apply.decide.GatheredBatch;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PartitionBufferTest {

    private static final Instant LOGGED = Instant.parse("2026-12-03T12:00:00Z");

    /** The batch {@code gathered} completed, readable or not. */
    private static GatheredBatch completed(Gathered gathered) {
        return switch (gathered) {
            case Gathered.Complete(GatheredBatch batch) -> batch;
            case Gathered.Rejected(GatheredBatch batch) -> batch;
            case Gathered.Incomplete incomplete -> throw new AssertionError("no batch completed");
        };
    }

    private static OperationEvent event(UUID batch, int seq, int count) {
        return new OperationEvent(1, batch, "ws", seq, count, false, "a", Instant.EPOCH, "c" + seq,
                OperationType.CREATE, "d" + seq, null, null);
    }

    @Test
    void interleavedBatchesCompleteWhenTheirLastEventArrives() {
        PartitionBuffer buffer = new PartitionBuffer(3, 100);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();

        assertThat(buffer.add(event(a, 0, 2), 100, LOGGED)).isEqualTo(Gathered.INCOMPLETE);
        assertThat(completed(buffer.add(event(b, 0, 1), 101, LOGGED))).satisfies(done -> {
            assertThat(done.batchId()).isEqualTo(b);
            assertThat(done.position()).isEqualTo(new LogPosition(3, 101));
        });
        assertThat(buffer.resumeOffset(102)).isEqualTo(100);

        GatheredBatch done = completed(buffer.add(event(a, 1, 2), 102, LOGGED));

        assertThat(done.events()).extracting(OperationEvent::seq).containsExactly(0, 1);
        assertThat(done.position()).isEqualTo(new LogPosition(3, 102));
        assertThat(buffer.resumeOffset(103)).isEqualTo(103);
    }

    @Test
    void eventsArrivingOutOfSeqOrderAreSortedAndARepeatedEventIsIgnored() {
        PartitionBuffer buffer = new PartitionBuffer(0, 0);
        UUID a = UUID.randomUUID();

        assertThat(buffer.add(event(a, 2, 3), 0, LOGGED)).isEqualTo(Gathered.INCOMPLETE);
        assertThat(buffer.add(event(a, 2, 3), 1, LOGGED)).isEqualTo(Gathered.INCOMPLETE);
        assertThat(buffer.add(event(a, 0, 3), 2, LOGGED)).isEqualTo(Gathered.INCOMPLETE);
        GatheredBatch done = completed(buffer.add(event(a, 1, 3), 3, LOGGED));

        assertThat(done.events()).extracting(OperationEvent::seq).containsExactly(0, 1, 2);
        assertThat(buffer.incompleteBatches()).isEmpty();
    }

    @Test
    void anEventDisagreeingAboutItsBatchSizeIsRefused() {
        PartitionBuffer buffer = new PartitionBuffer(0, 0);
        UUID a = UUID.randomUUID();
        buffer.add(event(a, 0, 3), 0, LOGGED);

        assertThatThrownBy(() -> buffer.add(event(a, 1, 2), 1, LOGGED)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> buffer.add(event(UUID.randomUUID(), 0, PartitionBuffer.MAX_EVENTS_PER_BATCH + 1), 2,
                LOGGED))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(buffer.incompleteBatches()).containsExactly(a);
    }

    @Test
    void aBatchWithAnUnreadableEventCompletesAndSaysWhichOne() {
        PartitionBuffer buffer = new PartitionBuffer(0, 10);
        UUID a = UUID.randomUUID();

        assertThat(buffer.add(event(a, 0, 3), 10, LOGGED)).isEqualTo(Gathered.INCOMPLETE);
        assertThat(buffer.addUnreadable(a, "ws", 1, 3, 11, Instant.EPOCH, "bad json")).isEqualTo(Gathered.INCOMPLETE);
        assertThat(buffer.addUnreadable(a, "ws", 1, 3, 12, Instant.EPOCH, "bad json again")).isEqualTo(Gathered.INCOMPLETE);
        assertThat(buffer.resumeOffset(13)).isEqualTo(10);
        Gathered gathered = buffer.add(event(a, 2, 3), 13, LOGGED.plusSeconds(1));

        assertThat(gathered).isInstanceOf(Gathered.Rejected.class);
        GatheredBatch done = completed(gathered);

        assertThat(done.batchId()).isEqualTo(a);
        assertThat(done.events()).extracting(OperationEvent::seq).containsExactly(0, 2);
        assertThat(done.unreadable().orElseThrow().reasons()).isEqualTo(java.util.Map.of(1, "bad json"));
        assertThat(done.unreadable().orElseThrow().count()).isEqualTo(3);
        assertThat(done.loggedAt()).as("the log's timestamp of its first record").isEqualTo(LOGGED);
        assertThat(buffer.resumeOffset(14)).isEqualTo(14);
    }
}
