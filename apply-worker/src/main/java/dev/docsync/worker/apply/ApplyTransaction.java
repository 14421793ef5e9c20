package dev.docsync.worker.apply;

import dev.docsync.contracts.EventHeaders;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.DocumentHead;
import dev.docsync.projection.apply.DocumentKey;
import dev.docsync.projection.apply.PartitionOffsets;
import dev.docsync.projection.apply.ProjectionWriter;
import dev.docsync.projection.apply.RefusedWrite;
import dev.docsync.log.TopicProperties;
import dev.docsync.worker.WorkerProperties;
import dev.docsync.worker.consume.EventReader;
import dev.docsync.worker.apply.decide.BatchApplier;
import dev.docsync.worker.apply.decide.DocumentVersions;
import dev.docsync.worker.apply.decide.GatheredBatch;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One PostgreSQL transaction per partition chunk: fence on the stored position, skip batches already
 * applied, apply the rest, write documents + history + results, and move the stored position, all or nothing.
 * A chunk holds at most {@code docsync.worker.max-transaction-bytes} of event data (DESIGN §6.8): a poll that
 * brings more is applied in several transactions, each moving the position as if the poll had ended there.
 */
@Component
public class ApplyTransaction {

    private static final Logger log = LoggerFactory.getLogger(ApplyTransaction.class);

    private final TransactionTemplate transactions;
    private final ProjectionWriter writer;
    private final PartitionOffsets offsets;
    private final BatchApplier applier;
    private final WorkerProperties properties;
    private final TopicProperties topic;
    private final Clock clock;

    public ApplyTransaction(TransactionTemplate transactions, ProjectionWriter writer, PartitionOffsets offsets,
            BatchApplier applier, WorkerProperties properties, TopicProperties topic, Clock clock) {
        this.transactions = transactions;
        this.writer = writer;
        this.offsets = offsets;
        this.applier = applier;
        this.properties = properties;
        this.topic = topic;
        this.clock = clock;
    }

    /**
     * The one way records become projection, for the live listener and for replay alike: reads each record
     * into its batch ({@code unreadable} is told about records that are not events), applies the batches that
     * became complete and moves the partition's stored position, in one transaction per {@link ChunkCutter
     * chunk} (one, unless the poll brought more event data than one transaction may hold). Returns what applied.
     */
    public List<AppliedBatch> applyRecords(PartitionBuffer buffer, List<ConsumerRecord<String, byte[]>> records,
            Rejections rejections) {
        ChunkCutter chunks = new ChunkCutter(properties.maxTransactionBytes().toBytes());
        for (ConsumerRecord<String, byte[]> record : records) {
            long resumeBefore = buffer.resumeOffset(record.offset());
            GatheredBatch complete;
            try {
                complete = buffer.add(EventReader.read(record.value(), properties.highestKnownSchema()), record.offset());
            } catch (RuntimeException e) {
                // Reading and gathering are pure: an event that fails here fails every time.
                rejections.unreadable(record, e);
                complete = gatherUnreadable(buffer, record, e);
            }
            if (complete != null) {
                chunks.add(complete, resumeBefore);
            }
        }
        List<AppliedBatch> applied = new ArrayList<>();
        for (ChunkCutter.Chunk chunk : chunks.finish(buffer.resumeOffset(records.getLast().offset() + 1))) {
            if (chunk.batches().isEmpty() && chunk.next() == buffer.committed()) {
                continue;
            }
            applied.addAll(apply(buffer.partition(), buffer.committed(), chunk.next(), chunk.batches(), rejections));
            buffer.committed(chunk.next());
        }
        return applied;
    }

    /**
     * An unreadable record whose headers still name its batch counts towards it, so that batch completes with
     * a result that records the failure; a record without them (not written by ingest) belongs to no batch.
     */
    private static GatheredBatch gatherUnreadable(PartitionBuffer buffer, ConsumerRecord<String, byte[]> record,
            RuntimeException reason) {
        try {
            UUID batchId = UUID.fromString(header(record, EventHeaders.BATCH_ID));
            int seq = Integer.parseInt(header(record, EventHeaders.SEQ));
            int count = Integer.parseInt(header(record, EventHeaders.COUNT));
            return buffer.addUnreadable(batchId, record.key(), seq, count, record.offset(),
                    Instant.ofEpochMilli(record.timestamp()), String.valueOf(reason.getMessage()));
        } catch (RuntimeException notAttributable) {
            return null;
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        if (header == null || record.key() == null) {
            throw new IllegalArgumentException("no " + name + " header");
        }
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    /** What the apply path could not use: events it cannot read, batches the projection refuses. */
    public interface Rejections {
        /** {@code record} is not an event of the schema; it has been counted towards its batch if it names one. */
        void unreadable(ConsumerRecord<String, byte[]> record, RuntimeException reason);

        /** {@code batch} was refused by the projection for {@code reason}; called inside the transaction. */
        void unappliable(GatheredBatch batch, RefusedWrite reason);

        /** For callers that hold no dead-letter topic (tests of the transaction itself). */
        static Rejections ignoring() {
            return new Rejections() {
                @Override
                public void unreadable(ConsumerRecord<String, byte[]> record, RuntimeException reason) {
                }

                @Override
                public void unappliable(GatheredBatch batch, RefusedWrite reason) {
                }
            };
        }
    }

    /**
     * Applies {@code ready} and moves the partition from {@code expected} to {@code next}, in one transaction;
     * returns what applied. When PostgreSQL refuses the chunk for a reason in the data ({@link RefusedWrite}),
     * the chunk is applied again batch by batch, each behind a savepoint: a batch that is refused on its own
     * completes rejected ({@code unappliable}) and the others apply. Each batch's fate depends only on the log
     * before it, so replay, which cuts the log into other chunks, decides the same.
     */
    public List<AppliedBatch> apply(int partition, long expected, long next, List<GatheredBatch> ready,
            Rejections rejections) {
        try {
            return transactions.execute(status -> {
                offsets.lock(properties.groupId(), topic.name(), partition, expected);
                List<GatheredBatch> fresh = fresh(ready);
                Map<DocumentKey, DocumentHead> state = new HashMap<>(writer.loadHeads(documentKeys(fresh)));
                Map<List<String>, AppliedBatch.KeyClaim> keys = new HashMap<>(writer.loadKeys(actorKeys(fresh)));
                // What a merge reads that earlier batches of this chunk wrote comes from their changes.
                ChunkVersions versions = new ChunkVersions(writer);
                List<AppliedBatch> applied = fresh.stream()
                        .map(b -> BatchMdc.around(b, () -> versions.remember(apply(b, state, keys, versions))))
                        .toList();
                writer.write(applied, clock.instant());
                offsets.advance(properties.groupId(), topic.name(), partition, next);
                return applied;
            });
        } catch (DataAccessException e) {
            RefusedWrite refused = RefusedWrite.of(e).filter(r -> !ready.isEmpty()).orElseThrow(() -> e);
            log.warn("Partition {}: the projection refused a chunk of {} batches ({}); applying them one by one",
                    partition, ready.size(), refused.reason());
            return transactions.execute(status -> isolating(status, partition, expected, next, ready, rejections));
        }
    }

    private List<AppliedBatch> isolating(TransactionStatus status, int partition, long expected, long next,
            List<GatheredBatch> ready, Rejections rejections) {
        offsets.lock(properties.groupId(), topic.name(), partition, expected);
        Map<DocumentKey, DocumentHead> state = new HashMap<>();
        Map<List<String>, AppliedBatch.KeyClaim> keys = new HashMap<>();
        List<AppliedBatch> applied = new ArrayList<>();
        for (GatheredBatch batch : fresh(ready)) {
            Object savepoint = status.createSavepoint();
            try {
                Map<DocumentKey, DocumentHead> batchState = statesFor(batch, state);
                Map<List<String>, AppliedBatch.KeyClaim> batchKeys = claimsFor(batch, keys);
                // Each batch is written before the next one applies, so the projection holds every version a
                // merge of a later batch reads.
                AppliedBatch result = BatchMdc.around(batch, () -> apply(batch, batchState, batchKeys,
                        new ChunkVersions(writer)));
                writer.write(List.of(result), clock.instant());
                status.releaseSavepoint(savepoint);
                state.putAll(batchState);
                keys.putAll(batchKeys);
                applied.add(result);
            } catch (DataAccessException e) {
                RefusedWrite refused = RefusedWrite.of(e).orElseThrow(() -> e);
                status.rollbackToSavepoint(savepoint);
                applied.add(reject(status, batch, refused, rejections));
            }
        }
        offsets.advance(properties.groupId(), topic.name(), partition, next);
        return applied;
    }

    /** Records {@code batch} as rejected; if even its rejection cannot be stored, it is only dead-lettered. */
    private AppliedBatch reject(TransactionStatus status, GatheredBatch batch, RefusedWrite refused,
            Rejections rejections) {
        AppliedBatch rejected = applier.unappliable(batch, refused.reason());
        Object savepoint = status.createSavepoint();
        try {
            writer.write(List.of(rejected), clock.instant());
            status.releaseSavepoint(savepoint);
        } catch (DataAccessException e) {
            RefusedWrite.of(e).orElseThrow(() -> e);
            status.rollbackToSavepoint(savepoint);
            log.error("Batch {}: even its rejection cannot be stored ({}); it is only dead-lettered",
                    batch.batchId(), e.getMessage());
        }
        BatchMdc.around(batch, () -> {
            log.error("Batch {} is unappliable: the projection refused it (SQLSTATE {}: {}); rejected and "
                    + "dead-lettered, its partition moves on", batch.batchId(), refused.sqlState(), refused.reason());
            return null;
        });
        rejections.unappliable(batch, refused);
        return rejected;
    }

    private List<GatheredBatch> fresh(List<GatheredBatch> ready) {
        Set<UUID> seen = new HashSet<>(writer.appliedBatchIds(ready.stream().map(GatheredBatch::batchId).toList()));
        return ready.stream().filter(b -> seen.add(b.batchId())).toList();
    }

    /** The current states {@code batch} needs: from earlier batches of this chunk, else from the projection. */
    private Map<DocumentKey, DocumentHead> statesFor(GatheredBatch batch, Map<DocumentKey, DocumentHead> known) {
        return knownOrLoaded(documentKeys(List.of(batch)), known, writer::loadHeads);
    }

    private Map<List<String>, AppliedBatch.KeyClaim> claimsFor(GatheredBatch batch,
            Map<List<String>, AppliedBatch.KeyClaim> known) {
        return knownOrLoaded(actorKeys(List.of(batch)), known, writer::loadKeys);
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

    /**
     * A batch with an Idempotency-Key that its actor used within the retention (measured between the stamps,
     * so replay decides the same) is a retry: with the same request it answers as the first batch, with
     * another request it is refused. Otherwise it applies and owns the key from now on.
     */
    private AppliedBatch apply(GatheredBatch batch, Map<DocumentKey, DocumentHead> state,
            Map<List<String>, AppliedBatch.KeyClaim> keys, DocumentVersions versions) {
        if (batch.unreadable() != null) {
            return applier.unreadable(batch);
        }
        OperationEvent head = batch.first();
        if (head.idempotency() == null) {
            return applier.apply(batch, state, versions);
        }
        List<String> actorKey = List.of(head.actor(), head.workspaceId(), head.idempotency().key());
        AppliedBatch.KeyClaim owner = keys.get(actorKey);
        if (owner != null && !owner.stampedAt().plus(properties.idempotencyRetention()).isBefore(head.stampedAt())) {
            return owner.requestHash().equals(head.idempotency().requestHash())
                    ? applier.duplicate(batch, owner.batchId()) : applier.keyReused(batch);
        }
        AppliedBatch.KeyClaim claim = new AppliedBatch.KeyClaim(head.actor(), head.workspaceId(),
                head.idempotency().key(), head.idempotency().requestHash(), head.batchId(), head.stampedAt());
        keys.put(actorKey, claim);
        return applier.apply(batch, state, versions).withKeyClaim(claim);
    }

    private static Set<List<String>> actorKeys(List<GatheredBatch> batches) {
        Set<List<String>> keys = new HashSet<>();
        for (GatheredBatch batch : batches) {
            if (batch.unreadable() == null && batch.first().idempotency() != null) {
                keys.add(List.of(batch.first().actor(), batch.first().workspaceId(),
                        batch.first().idempotency().key()));
            }
        }
        return keys;
    }

    private static Set<DocumentKey> documentKeys(List<GatheredBatch> batches) {
        Set<DocumentKey> keys = new HashSet<>();
        for (GatheredBatch batch : batches) {
            for (OperationEvent op : batch.events()) {
                keys.add(new DocumentKey(op.workspaceId(), op.documentId()));
            }
        }
        return keys;
    }
}
