package dev.docsync.worker.apply;

import dev.docsync.topic.TopicProperties;
import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.DocumentHead;
import dev.docsync.projection.apply.DocumentKey;
import dev.docsync.projection.apply.LogTopology;
import dev.docsync.projection.apply.PartitionOffsets;
import dev.docsync.projection.apply.ProjectionWriter;
import dev.docsync.projection.apply.RefusedWrite;
import dev.docsync.projection.batches.IdempotencyProperties;
import dev.docsync.projection.batches.IdempotencyRule;
import dev.docsync.projection.replay.ReplaySchemas;
import dev.docsync.worker.WorkerProperties;
import dev.docsync.worker.apply.decide.BatchDecider;
import dev.docsync.worker.apply.decide.GatheredBatch;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one way records become projection, for the live listener and for replay ({@link #forSchema}) alike. Each
 * record is read into its partition's batches ({@link PartitionBuffer}); the batches that became complete are
 * applied in one PostgreSQL transaction per {@link ChunkCutter chunk} (one, unless the records bring more event data
 * than one transaction may hold, DESIGN §6.8): fence on the stored position, skip batches already applied, decide
 * the rest ({@link BatchDecider}), write documents, history, results and keys, and move the stored position, all or
 * nothing. A chunk the projection refuses for a reason in its data is applied again batch by batch behind
 * savepoints, and a batch refused on its own completes rejected ({@code unappliable}). Each batch's fate depends
 * only on the log before it, so replay, which cuts the log into other chunks, decides the same.
 */
@Component
public class ChunkApplier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChunkApplier.class);

    /** What the apply could not use: events it cannot read, batches the projection refuses. */
    public interface Rejections {
        /** {@code record} is not an event of the schema; it has been counted towards its batch if it names one. */
        void unreadable(ConsumerRecord<String, byte[]> record, RuntimeException reason);

        /** {@code batch} was refused by the projection for {@code reason}; called inside the transaction. */
        void unappliable(GatheredBatch batch, RefusedWrite reason);
    }

    /** A store onto another schema, and what to close when done with it. */
    record SchemaStore(ChunkStore store, AutoCloseable resources) {
    }

    private final ChunkStore store;
    private final EventDecoder decoder;
    private final BatchDecider decider;
    private final long maxTransactionBytes;
    private final Clock clock;
    private final Function<String, SchemaStore> schemas;
    private final AutoCloseable resources;

    @Autowired
    ChunkApplier(ReplaySchemas replays, TransactionTemplate transactions, ProjectionWriter writer, PartitionOffsets offsets,
            LogTopology topology, WorkerProperties properties, IdempotencyProperties idempotency, TopicProperties topic,
            EventDecoder decoder, Clock clock) {
        this(new JdbcChunkStore(transactions, writer, offsets, topology, properties.groupId(), topic.name()), decoder,
                new BatchDecider(new IdempotencyRule(idempotency.retention())),
                properties.maxTransactionBytes().toBytes(), clock,
                schema -> replayStore(replays, properties.groupId(), topic.name(), schema), () -> {
                });
    }

    ChunkApplier(ChunkStore store, EventDecoder decoder, BatchDecider decider, long maxTransactionBytes, Clock clock,
            Function<String, SchemaStore> schemas, AutoCloseable resources) {
        this.store = store;
        this.decoder = decoder;
        this.decider = decider;
        this.maxTransactionBytes = maxTransactionBytes;
        this.clock = clock;
        this.schemas = schemas;
        this.resources = resources;
    }

    /**
     * The same applier, writing into the projection in {@code schema} instead (a replay's fresh one), without
     * signalling results (nobody waits on a rebuild), through a small pool of its own. Close it when done.
     */
    public ChunkApplier forSchema(String schema) {
        SchemaStore target = schemas.apply(schema);
        return new ChunkApplier(target.store(), decoder, decider, maxTransactionBytes, clock, schemas,
                target.resources());
    }

    private static SchemaStore replayStore(ReplaySchemas replays, String group, String topic, String schema) {
        ReplaySchemas.Target target = replays.target(schema);
        ChunkStore store = new ReplayChunkStore(new JdbcChunkStore(target.transactions(), target.writer(),
                target.offsets(), target.topology(), group, topic), target.bulk());
        return new SchemaStore(store, target.pool());
    }

    /** The partition at the position stored for it (a partition never consumed starts at 0). */
    public PartitionBuffer resume(int partition) {
        return new PartitionBuffer(partition, store.resumeOffset(partition));
    }

    /** The partition at {@code position}, which this worker stored or read last; nothing gathered. */
    public PartitionBuffer at(int partition, long position) {
        return new PartitionBuffer(partition, position);
    }

    /** Records the partition count of the log the projection is built from (a rebuild records it as live did). */
    public void recordTopology(int partitions) {
        store.recordTopology(partitions);
    }

    /**
     * Reads {@code records} (the next ones of {@code partition}, in order) into their batches ({@code rejections}
     * is told about records that are not events), applies the batches they completed and moves the partition's
     * stored position past them; returns what applied. Throws when a transaction failed: then the partition's
     * stored position is {@code partition.committed()}, and what was gathered is to be read again from there.
     */
    public List<AppliedBatch> apply(PartitionBuffer partition, List<ConsumerRecord<String, byte[]>> records,
            Rejections rejections) {
        ChunkCutter chunks = new ChunkCutter(maxTransactionBytes);
        for (ConsumerRecord<String, byte[]> record : records) {
            long resumeBefore = partition.resumeOffset(record.offset());
            switch (RecordGathering.gather(partition, record, decoder, rejections)) {
                case Gathered.Complete complete -> chunks.add(complete.batch(), resumeBefore);
                case Gathered.Rejected rejected -> chunks.add(rejected.batch(), resumeBefore);
                case Gathered.Incomplete incomplete -> {
                }
            }
        }
        List<AppliedBatch> applied = new ArrayList<>();
        for (ChunkCutter.Chunk chunk : chunks.finish(partition.resumeOffset(records.getLast().offset() + 1))) {
            if (chunk.batches().isEmpty() && chunk.next() == partition.committed()) {
                continue;
            }
            applied.addAll(applyChunk(partition.partition(), partition.committed(), chunk.next(), chunk.batches(),
                    rejections));
            partition.committed(chunk.next());
        }
        return applied;
    }

    /**
     * Applies {@code ready} and moves the partition from {@code expected} to {@code next}, in one transaction;
     * returns what applied. When the projection refuses the chunk for a reason in the data ({@link RefusedWrite}),
     * the chunk is applied again batch by batch ({@link #isolating}).
     */
    List<AppliedBatch> applyChunk(int partition, long expected, long next, List<GatheredBatch> ready,
            Rejections rejections) {
        try {
            return store.inTransaction(tx -> {
                ChunkStore.ChunkState read = tx.begin(partition, expected, ready);
                List<GatheredBatch> fresh = fresh(read.applied(), ready);
                Map<DocumentKey, DocumentHead> state = new HashMap<>(read.heads());
                Map<List<String>, AppliedBatch.KeyClaim> keys = new HashMap<>(read.keys());
                // What a merge reads that earlier batches of this chunk wrote comes from their changes.
                ChunkVersions versions = new ChunkVersions(tx.stored());
                List<AppliedBatch> applied = fresh.stream()
                        .map(b -> BatchMdc.around(b, () -> versions.remember(decider.decide(b, state, keys, versions))))
                        .toList();
                tx.write(applied, clock.instant());
                tx.advance(partition, next);
                return applied;
            });
        } catch (DataAccessException e) {
            RefusedWrite refused = RefusedWrite.of(e).filter(r -> !ready.isEmpty()).orElseThrow(() -> e);
            log.warn("Partition {}: the projection refused a chunk of {} batches ({}); applying them one by one",
                    partition, ready.size(), refused.reason());
            return store.inTransaction(tx -> isolating(tx, partition, expected, next, ready, rejections));
        }
    }

    /** One batch decided and written behind its savepoint, and the states and keys it leaves. */
    private record Isolated(AppliedBatch result, Map<DocumentKey, DocumentHead> state,
            Map<List<String>, AppliedBatch.KeyClaim> keys) {
    }

    /**
     * Each batch behind a savepoint: one the projection refuses on its own completes rejected, the others apply.
     * Each is written before the next one is decided, so the projection holds every version a later merge reads.
     */
    private List<AppliedBatch> isolating(ChunkStore.Transaction tx, int partition, long expected, long next,
            List<GatheredBatch> ready, Rejections rejections) {
        tx.lock(partition, expected);
        Map<DocumentKey, DocumentHead> state = new HashMap<>();
        Map<List<String>, AppliedBatch.KeyClaim> keys = new HashMap<>();
        List<AppliedBatch> applied = new ArrayList<>();
        for (GatheredBatch batch : fresh(tx.appliedBatchIds(ready.stream().map(GatheredBatch::batchId).toList()),
                ready)) {
            ChunkStore.Attempt<Isolated> attempt = tx.attempt(() -> {
                Map<DocumentKey, DocumentHead> batchState =
                        knownOrLoaded(BatchDecider.documentKeys(List.of(batch)), state, tx::loadHeads);
                Map<List<String>, AppliedBatch.KeyClaim> batchKeys =
                        knownOrLoaded(BatchDecider.keyScopes(List.of(batch)), keys, tx::loadKeys);
                AppliedBatch result = BatchMdc.around(batch,
                        () -> decider.decide(batch, batchState, batchKeys, new ChunkVersions(tx.stored())));
                tx.write(List.of(result), clock.instant());
                return new Isolated(result, batchState, batchKeys);
            });
            switch (attempt) {
                case ChunkStore.Done<Isolated>(Isolated done) -> {
                    state.putAll(done.state());
                    keys.putAll(done.keys());
                    applied.add(done.result());
                }
                case ChunkStore.Refused<Isolated>(RefusedWrite refused) ->
                        applied.add(reject(tx, batch, refused, rejections));
            }
        }
        tx.advance(partition, next);
        return applied;
    }

    /** Records {@code batch} as rejected; if even its rejection cannot be stored, it is only dead-lettered. */
    private AppliedBatch reject(ChunkStore.Transaction tx, GatheredBatch batch, RefusedWrite refused,
            Rejections rejections) {
        AppliedBatch rejected = decider.unappliable(batch, refused.reason());
        ChunkStore.Attempt<AppliedBatch> stored = tx.attempt(() -> {
            tx.write(List.of(rejected), clock.instant());
            return rejected;
        });
        if (stored instanceof ChunkStore.Refused<AppliedBatch>(RefusedWrite again)) {
            log.error("Batch {}: even its rejection cannot be stored ({}); it is only dead-lettered",
                    batch.batchId(), again.reason());
        }
        BatchMdc.around(batch, () -> {
            log.error("Batch {} is unappliable: the projection refused it (SQLSTATE {}: {}); rejected and "
                    + "dead-lettered, its partition moves on", batch.batchId(), refused.sqlState(), refused.reason());
            return null;
        });
        rejections.unappliable(batch, refused);
        return rejected;
    }

    /** The batches of {@code ready} not applied yet, each once (a batch may be in the log twice). */
    private static List<GatheredBatch> fresh(Set<UUID> applied, List<GatheredBatch> ready) {
        Set<UUID> seen = new HashSet<>(applied);
        return ready.stream().filter(b -> seen.add(b.batchId())).toList();
    }

    private static <K, V> Map<K, V> knownOrLoaded(Set<K> needed, Map<K, V> known, Function<Set<K>, Map<K, V>> load) {
        Map<K, V> values = new HashMap<>();
        Set<K> missing = new HashSet<>();
        for (K key : needed) {
            if (known.containsKey(key)) {
                values.put(key, known.get(key));
            } else {
                missing.add(key);
            }
        }
        values.putAll(load.apply(missing));
        return values;
    }

    /** Closes the pool of an applier made by {@link #forSchema}; the live one holds none. */
    @Override
    public void close() {
        try {
            resources.close();
        } catch (Exception e) {
            log.warn("Closing the applier's resources failed", e);
        }
    }
}
