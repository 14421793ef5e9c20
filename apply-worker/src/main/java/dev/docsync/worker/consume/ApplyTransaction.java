package dev.docsync.worker.consume;

import dev.docsync.contracts.DocumentView;
import dev.docsync.contracts.EventHeaders;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.DocumentKey;
import dev.docsync.projection.apply.PartitionOffsets;
import dev.docsync.projection.apply.ProjectionWriter;
import dev.docsync.log.TopicProperties;
import dev.docsync.worker.WorkerProperties;
import dev.docsync.worker.apply.BatchApplier;
import dev.docsync.worker.apply.GatheredBatch;
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
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One PostgreSQL transaction per partition chunk: fence on the stored position, skip batches already
 * applied, apply the rest, write documents + history + results, and move the stored position, all or nothing.
 */
@Component
public class ApplyTransaction {

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
     * became complete and moves the partition's stored position, in one transaction. Returns what applied.
     */
    public List<AppliedBatch> applyRecords(PartitionBuffer buffer, List<ConsumerRecord<String, byte[]>> records,
            BiConsumer<ConsumerRecord<String, byte[]>, RuntimeException> unreadable) {
        List<GatheredBatch> ready = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            GatheredBatch complete;
            try {
                complete = buffer.add(EventReader.read(record.value()), record.offset());
            } catch (RuntimeException e) {
                // Reading and gathering are pure: an event that fails here fails every time.
                unreadable.accept(record, e);
                complete = gatherUnreadable(buffer, record, e);
            }
            if (complete != null) {
                ready.add(complete);
            }
        }
        long next = buffer.resumeOffset(records.getLast().offset() + 1);
        if (ready.isEmpty() && next == buffer.committed()) {
            return List.of();
        }
        List<AppliedBatch> applied = apply(buffer.partition(), buffer.committed(), next, ready);
        buffer.committed(next);
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

    /** Applies {@code ready} and moves the partition from {@code expected} to {@code next}; returns what applied. */
    public List<AppliedBatch> apply(int partition, long expected, long next, List<GatheredBatch> ready) {
        return transactions.execute(status -> {
            offsets.lock(properties.groupId(), topic.name(), partition, expected);
            Set<UUID> seen = new HashSet<>(writer.appliedBatchIds(ready.stream().map(GatheredBatch::batchId).toList()));
            List<GatheredBatch> fresh = ready.stream().filter(b -> seen.add(b.batchId())).toList();
            Map<DocumentKey, DocumentView> state = new HashMap<>(writer.loadDocuments(documentKeys(fresh)));
            Map<List<String>, AppliedBatch.KeyClaim> keys = new HashMap<>(writer.loadKeys(actorKeys(fresh)));
            List<AppliedBatch> applied = fresh.stream()
                    .map(b -> BatchMdc.around(b, () -> apply(b, state, keys))).toList();
            writer.write(applied, clock.instant());
            offsets.advance(properties.groupId(), topic.name(), partition, next);
            return applied;
        });
    }

    /**
     * A batch with an Idempotency-Key that its actor used within the retention (measured between the stamps,
     * so replay decides the same) is a retry: with the same request it answers as the first batch, with
     * another request it is refused. Otherwise it applies and owns the key from now on.
     */
    private AppliedBatch apply(GatheredBatch batch, Map<DocumentKey, DocumentView> state,
            Map<List<String>, AppliedBatch.KeyClaim> keys) {
        if (batch.unreadable() != null) {
            return applier.unreadable(batch);
        }
        OperationEvent head = batch.first();
        if (head.idempotency() == null) {
            return applier.apply(batch, state);
        }
        List<String> actorKey = List.of(head.actor(), head.idempotency().key());
        AppliedBatch.KeyClaim owner = keys.get(actorKey);
        if (owner != null && !owner.stampedAt().plus(properties.idempotencyRetention()).isBefore(head.stampedAt())) {
            return owner.requestHash().equals(head.idempotency().requestHash())
                    ? applier.duplicate(batch, owner.batchId()) : applier.keyReused(batch);
        }
        AppliedBatch.KeyClaim claim = new AppliedBatch.KeyClaim(head.actor(), head.idempotency().key(),
                head.idempotency().requestHash(), head.batchId(), head.stampedAt());
        keys.put(actorKey, claim);
        return applier.apply(batch, state).withKeyClaim(claim);
    }

    private static Set<List<String>> actorKeys(List<GatheredBatch> batches) {
        Set<List<String>> keys = new HashSet<>();
        for (GatheredBatch batch : batches) {
            if (batch.unreadable() == null && batch.first().idempotency() != null) {
                keys.add(List.of(batch.first().actor(), batch.first().idempotency().key()));
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
