package dev.docsync.worker.apply;

import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.DocumentHead;
import dev.docsync.projection.apply.DocumentKey;
import dev.docsync.projection.replay.BulkWriter;
import dev.docsync.worker.apply.decide.DocumentVersions;
import dev.docsync.worker.apply.decide.GatheredBatch;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The store of a replay: the live store's transactions and reads, with a chunk's writes in bulk ({@link BulkWriter}:
 * {@code COPY}). A write behind a savepoint (the applier isolating a chunk the projection refused, batch by batch)
 * goes through the live writer's statements, so a batch is refused for the same reason, in the same words, as live
 * refused it; the bulk writer itself takes the live writer's statements for any value a {@code COPY} might take
 * differently. Decisions are the applier's and do not depend on how the rows are sent.
 */
final class ReplayChunkStore implements ChunkStore {

    private final ChunkStore store;
    private final BulkWriter bulk;

    ReplayChunkStore(ChunkStore store, BulkWriter bulk) {
        this.store = store;
        this.bulk = bulk;
    }

    @Override
    public <T> T inTransaction(Function<Transaction, T> work) {
        return store.inTransaction(tx -> work.apply(new BulkTransaction(tx)));
    }

    @Override
    public long resumeOffset(int partition) {
        return store.resumeOffset(partition);
    }

    @Override
    public void recordTopology(int partitions) {
        store.recordTopology(partitions);
    }

    private final class BulkTransaction implements Transaction {

        private final Transaction tx;
        /** Steps behind a savepoint running now: their writes take the live writer's statements. */
        private int isolated;

        BulkTransaction(Transaction tx) {
            this.tx = tx;
        }

        @Override
        public void lock(int partition, long expected) {
            tx.lock(partition, expected);
        }

        @Override
        public ChunkState begin(int partition, long expected, List<GatheredBatch> batches) {
            return tx.begin(partition, expected, batches);
        }

        @Override
        public void advance(int partition, long next) {
            tx.advance(partition, next);
        }

        @Override
        public Set<UUID> appliedBatchIds(Collection<UUID> batchIds) {
            return tx.appliedBatchIds(batchIds);
        }

        @Override
        public Map<DocumentKey, DocumentHead> loadHeads(Collection<DocumentKey> keys) {
            return tx.loadHeads(keys);
        }

        @Override
        public Map<List<String>, AppliedBatch.KeyClaim> loadKeys(Collection<List<String>> scopes) {
            return tx.loadKeys(scopes);
        }

        @Override
        public DocumentVersions stored() {
            return tx.stored();
        }

        @Override
        public void write(List<AppliedBatch> batches, Instant appliedAt) {
            if (isolated > 0) {
                tx.write(batches, appliedAt);
            } else {
                bulk.write(batches, appliedAt);
            }
        }

        @Override
        public <T> Attempt<T> attempt(Supplier<T> step) {
            isolated++;
            try {
                return tx.attempt(step);
            } finally {
                isolated--;
            }
        }
    }
}
