package dev.docsync.worker.apply;

import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.DocumentHead;
import dev.docsync.projection.apply.DocumentKey;
import dev.docsync.projection.apply.RefusedWrite;
import dev.docsync.worker.apply.decide.BatchDecider;
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
 * The projection as {@link ChunkApplier} reads and writes it: PostgreSQL in the app ({@link JdbcChunkStore}), a map
 * in unit tests. Failures are Spring's {@code DataAccessException}s, refusals among them ({@link RefusedWrite#of}).
 */
interface ChunkStore {

    /** Runs {@code work} in one transaction: all it wrote commits when it returns, nothing when it throws. */
    <T> T inTransaction(Function<Transaction, T> work);

    /** The stored position of {@code partition} (claimed at 0 for a partition never consumed). */
    long resumeOffset(int partition);

    /** Records the partition count of the log this projection is built from, if none is recorded yet. */
    void recordTopology(int partitions);

    /** One apply transaction. */
    interface Transaction {

        /** Locks the partition's stored position; {@code FencedOutException} unless it is {@code expected}. */
        void lock(int partition, long expected);

        /**
         * {@link #lock} and what deciding a chunk of {@code batches} reads, at once: which of them are applied, the
         * current state of the documents they name and the Idempotency-Keys they use. A store may read them in one
         * round trip; this is what it must come to.
         */
        default ChunkState begin(int partition, long expected, List<GatheredBatch> batches) {
            lock(partition, expected);
            return new ChunkState(appliedBatchIds(batches.stream().map(GatheredBatch::batchId).toList()),
                    loadHeads(BatchDecider.documentKeys(batches)), loadKeys(BatchDecider.keyScopes(batches)));
        }

        void advance(int partition, long next);

        Set<UUID> appliedBatchIds(Collection<UUID> batchIds);

        Map<DocumentKey, DocumentHead> loadHeads(Collection<DocumentKey> keys);

        Map<List<String>, AppliedBatch.KeyClaim> loadKeys(Collection<List<String>> scopes);

        /** Earlier versions and stored bodies, as this transaction sees them. */
        DocumentVersions stored();

        void write(List<AppliedBatch> batches, Instant appliedAt);

        /**
         * Runs {@code step} behind a savepoint: when the projection refuses what it wrote for a reason in the data,
         * the transaction goes back to the savepoint and the refusal is returned; any other failure is thrown.
         */
        <T> Attempt<T> attempt(Supplier<T> step);
    }

    /** What {@link Transaction#begin} read. */
    record ChunkState(Set<UUID> applied, Map<DocumentKey, DocumentHead> heads,
            Map<List<String>, AppliedBatch.KeyClaim> keys) {
    }

    /** What a step behind a savepoint came to. */
    sealed interface Attempt<T> {
    }

    record Done<T>(T value) implements Attempt<T> {
    }

    record Refused<T>(RefusedWrite refusal) implements Attempt<T> {
    }
}
