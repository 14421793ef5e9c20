package dev.docsync.worker.apply;

import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.DocumentHead;
import dev.docsync.projection.apply.DocumentKey;
import dev.docsync.projection.apply.LogTopology;
import dev.docsync.projection.apply.PartitionOffsets;
import dev.docsync.projection.apply.ProjectionWriter;
import dev.docsync.projection.apply.RefusedWrite;
import dev.docsync.worker.apply.decide.BatchDecider;
import dev.docsync.worker.apply.decide.DocumentVersions;
import dev.docsync.worker.apply.decide.GatheredBatch;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/** The projection in PostgreSQL, through the projection module's repositories, for one consumer group and topic. */
final class JdbcChunkStore implements ChunkStore {

    private final TransactionTemplate transactions;
    private final ProjectionWriter writer;
    private final PartitionOffsets offsets;
    private final LogTopology topology;
    private final String group;
    private final String topic;

    JdbcChunkStore(TransactionTemplate transactions, ProjectionWriter writer, PartitionOffsets offsets,
            LogTopology topology, String group, String topic) {
        this.transactions = transactions;
        this.writer = writer;
        this.offsets = offsets;
        this.topology = topology;
        this.group = group;
        this.topic = topic;
    }

    @Override
    public <T> T inTransaction(Function<Transaction, T> work) {
        return transactions.execute(status -> work.apply(new JdbcTransaction(status)));
    }

    @Override
    public long resumeOffset(int partition) {
        return offsets.resumeOffset(group, topic, partition);
    }

    @Override
    public void recordTopology(int partitions) {
        topology.recordOrRead(topic, partitions);
    }

    private final class JdbcTransaction implements Transaction, DocumentVersions {

        private final TransactionStatus status;

        JdbcTransaction(TransactionStatus status) {
            this.status = status;
        }

        @Override
        public void lock(int partition, long expected) {
            offsets.lock(group, topic, partition, expected);
        }

        @Override
        public ChunkState begin(int partition, long expected, List<GatheredBatch> batches) {
            ProjectionWriter.ChunkRead read = writer.readChunk(group, topic, partition,
                    batches.stream().map(GatheredBatch::batchId).toList(), BatchDecider.documentKeys(batches),
                    BatchDecider.keyScopes(batches));
            PartitionOffsets.fence(topic, partition, read.storedPosition(), expected);
            return new ChunkState(read.applied(), read.heads(), read.keys());
        }

        @Override
        public void advance(int partition, long next) {
            offsets.advance(group, topic, partition, next);
        }

        @Override
        public Set<UUID> appliedBatchIds(Collection<UUID> batchIds) {
            return writer.appliedBatchIds(batchIds);
        }

        @Override
        public Map<DocumentKey, DocumentHead> loadHeads(Collection<DocumentKey> keys) {
            return writer.loadHeads(keys);
        }

        @Override
        public Map<List<String>, AppliedBatch.KeyClaim> loadKeys(Collection<List<String>> scopes) {
            return writer.loadKeys(scopes);
        }

        @Override
        public DocumentVersions stored() {
            return this;
        }

        @Override
        public Optional<DocumentHead> at(DocumentKey key, long version) {
            return writer.loadVersionHead(key, version);
        }

        @Override
        public Map<String, Long> sizes(String workspaceId, Collection<String> digests) {
            return writer.bodySizes(workspaceId, digests);
        }

        @Override
        public Map<String, String> bodies(String workspaceId, Collection<String> digests) {
            return writer.loadBodies(workspaceId, digests);
        }

        @Override
        public void write(List<AppliedBatch> batches, Instant appliedAt) {
            writer.write(batches, appliedAt);
        }

        @Override
        public <T> Attempt<T> attempt(Supplier<T> step) {
            Object savepoint = status.createSavepoint();
            try {
                T value = step.get();
                status.releaseSavepoint(savepoint);
                return new Done<>(value);
            } catch (DataAccessException e) {
                RefusedWrite refused = RefusedWrite.of(e).orElseThrow(() -> e);
                status.rollbackToSavepoint(savepoint);
                return new Refused<>(refused);
            }
        }
    }
}
