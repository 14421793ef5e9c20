package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationType;
import dev.docsync.contracts.OperationsTopic;
import dev.docsync.projection.apply.FencedOutException;
import dev.docsync.worker.apply.ChunkApplier;
import dev.docsync.worker.apply.PartitionBuffer;
import dev.docsync.worker.apply.decide.GatheredBatch;
import dev.docsync.projection.apply.RefusedWrite;
import dev.docsync.contracts.DocsyncJson;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A worker that lost its partition in a rebalance but does not know it yet (a zombie: paused by GC, cut off
 * from the broker) still holds the position it last wrote. Its late apply transaction must be refused, so
 * the batches it applies are not applied a second time next to the new owner's.
 */
class ZombieFencingIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void aLateCommitFromAStalePositionIsRefusedAndWritesNothing() {
        String ws = Batches.workspace("ws_zombie");
        String token = stack.editor("z", ws);
        // The zombie read up to here; then the live owner applied one more batch and moved the position on.
        long zombiePosition = storedPosition(LogInspector.partitionOf(ws));
        assertThat(stack.api.postBatch(token, batch(ws, List.of(create("a", "live", "by the owner")))).status())
                .isEqualTo(200);
        long ownerPosition = storedPosition(LogInspector.partitionOf(ws));
        UUID zombieBatch = UUID.randomUUID();
        OperationEvent late = new OperationEvent(OperationEvent.CURRENT_SCHEMA, zombieBatch, ws, 0, 1, false, "z",
                Instant.now(), "c", OperationType.CREATE, "by-zombie", null, new DocumentData("t", "c", null));
        ChunkApplier applier = stack.stack.worker().getBean(ChunkApplier.class);
        int partition = LogInspector.partitionOf(ws);
        PartitionBuffer zombie = applier.at(partition, zombiePosition);
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("docsync.operations", partition, zombiePosition, ws,
                DocsyncJson.mapper().writeValueAsBytes(late));

        assertThatThrownBy(() -> applier.apply(zombie, List.of(record), new ChunkApplier.Rejections() {
            @Override
            public void unreadable(ConsumerRecord<String, byte[]> unread, RuntimeException reason) {
                throw new AssertionError("the event is readable", reason);
            }

            @Override
            public void unappliable(GatheredBatch batch, RefusedWrite reason) {
                throw new AssertionError("nothing is refused", null);
            }
        })).isInstanceOf(FencedOutException.class);

        assertThat(ownerPosition).isGreaterThan(zombiePosition);
        assertThat(storedPosition(partition)).isEqualTo(ownerPosition);
        assertThat(stack.jdbc.queryForObject("select count(*) from batch_results where batch_id = ?", Long.class,
                zombieBatch)).isZero();
        assertThat(stack.api.document(token, ws, "by-zombie").status()).isEqualTo(404);
    }

    private long storedPosition(int partition) {
        return stack.jdbc.queryForObject("""
                select coalesce(max(next_offset), 0) from consumer_offsets
                where topic = ? and partition = ?""", Long.class, OperationsTopic.DEFAULT_NAME, partition);
    }
}
