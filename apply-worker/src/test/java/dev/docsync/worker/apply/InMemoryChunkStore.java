package dev.docsync.worker.apply;

import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.DocumentChange;
import dev.docsync.projection.apply.DocumentHead;
import dev.docsync.projection.apply.DocumentKey;
import dev.docsync.projection.apply.FencedOutException;
import dev.docsync.projection.apply.RefusedWrite;
import dev.docsync.worker.apply.decide.DocumentVersions;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * The projection as a few maps, with PostgreSQL's all-or-nothing transactions and savepoints (a copy of the maps
 * taken at the start and put back on failure), for pure tests of {@link ChunkApplier}. It refuses, the way
 * PostgreSQL refuses a value too long, every batch that {@link #refuses} names.
 */
final class InMemoryChunkStore implements ChunkStore {

    Map<Integer, Long> positions = new HashMap<>();
    Map<DocumentKey, DocumentHead> heads = new HashMap<>();
    Map<List<String>, AppliedBatch.KeyClaim> keys = new HashMap<>();
    Map<UUID, AppliedBatch> results = new LinkedHashMap<>();
    Predicate<AppliedBatch> refuses = batch -> false;
    /** Thrown by every write when set: a failure that is not in the data (the connection dropped). */
    RuntimeException failure;
    int transactions;

    private record Copy(Map<Integer, Long> positions, Map<DocumentKey, DocumentHead> heads,
            Map<List<String>, AppliedBatch.KeyClaim> keys, Map<UUID, AppliedBatch> results) {
    }

    private Copy copy() {
        return new Copy(new HashMap<>(positions), new HashMap<>(heads), new HashMap<>(keys),
                new LinkedHashMap<>(results));
    }

    private void restore(Copy copy) {
        positions = copy.positions();
        heads = copy.heads();
        keys = copy.keys();
        results = copy.results();
    }

    @Override
    public <T> T inTransaction(Function<Transaction, T> work) {
        transactions++;
        Copy before = copy();
        try {
            return work.apply(new InMemoryTransaction());
        } catch (RuntimeException e) {
            restore(before);
            throw e;
        }
    }

    @Override
    public long resumeOffset(int partition) {
        return positions.computeIfAbsent(partition, p -> 0L);
    }

    @Override
    public void recordTopology(int partitions) {
    }

    private final class InMemoryTransaction implements Transaction {

        @Override
        public void lock(int partition, long expected) {
            Long stored = positions.get(partition);
            if (stored == null || stored != expected) {
                throw new FencedOutException("position of " + partition + " is " + stored + ", expected " + expected);
            }
        }

        @Override
        public void advance(int partition, long next) {
            positions.put(partition, next);
        }

        @Override
        public Set<UUID> appliedBatchIds(Collection<UUID> batchIds) {
            return batchIds.stream().filter(results::containsKey).collect(Collectors.toSet());
        }

        @Override
        public Map<DocumentKey, DocumentHead> loadHeads(Collection<DocumentKey> wanted) {
            return wanted.stream().filter(heads::containsKey).collect(Collectors.toMap(k -> k, heads::get));
        }

        @Override
        public Map<List<String>, AppliedBatch.KeyClaim> loadKeys(Collection<List<String>> scopes) {
            return scopes.stream().filter(keys::containsKey).collect(Collectors.toMap(k -> k, keys::get));
        }

        @Override
        public DocumentVersions stored() {
            return DocumentVersions.none();
        }

        @Override
        public void write(List<AppliedBatch> batches, Instant appliedAt) {
            if (failure != null) {
                throw failure;
            }
            for (AppliedBatch batch : batches) {
                if (refuses.test(batch)) {
                    throw new DataIntegrityViolationException("batch insert failed",
                            new SQLException("ERROR: value too long for type character varying(64)", "22001"));
                }
                results.put(batch.result().batchId(), batch);
                for (DocumentChange change : batch.changes()) {
                    heads.put(new DocumentKey(change.state().workspaceId(), change.state().documentId()),
                            change.state());
                }
                batch.keyClaim().ifPresent(claim -> keys.put(claim.scope(), claim));
            }
        }

        @Override
        public <T> Attempt<T> attempt(Supplier<T> step) {
            Copy savepoint = copy();
            try {
                return new Done<>(step.get());
            } catch (DataAccessException e) {
                RefusedWrite refused = RefusedWrite.of(e).orElseThrow(() -> e);
                restore(savepoint);
                return new Refused<>(refused);
            }
        }
    }
}
