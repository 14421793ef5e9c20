package dev.docsync.worker.apply;

import dev.docsync.contracts.EventHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** A record of the log read into its partition's batches: its event, or what its headers still say of it. */
final class RecordGathering {

    private RecordGathering() {
    }

    /** Reads {@code record} into its batch on {@code partition}; {@code rejections} hears of a record that is no event. */
    static Gathered gather(PartitionBuffer partition, ConsumerRecord<String, byte[]> record, EventDecoder decoder,
            ChunkApplier.Rejections rejections) {
        try {
            return partition.add(decoder.decode(record.value()), record.offset(), loggedAt(record));
        } catch (RuntimeException e) {
            // Reading and gathering are pure: an event that fails here fails every time.
            rejections.unreadable(record, e);
            return gatherUnreadable(partition, record, e);
        }
    }

    /**
     * An unreadable record whose headers still name its batch counts towards it, so that batch completes with
     * a result that records the failure; a record without them (not written by ingest) belongs to no batch.
     */
    private static Gathered gatherUnreadable(PartitionBuffer partition, ConsumerRecord<String, byte[]> record,
            RuntimeException reason) {
        try {
            UUID batchId = UUID.fromString(header(record, EventHeaders.BATCH_ID));
            int seq = Integer.parseInt(header(record, EventHeaders.SEQ));
            int count = Integer.parseInt(header(record, EventHeaders.COUNT));
            return partition.addUnreadable(batchId, record.key(), seq, count, record.offset(),
                    loggedAt(record), String.valueOf(reason.getMessage()));
        } catch (RuntimeException notAttributable) {
            return Gathered.INCOMPLETE;
        }
    }

    /** The record's timestamp, as the log holds it (replay reads the same). */
    private static Instant loggedAt(ConsumerRecord<String, byte[]> record) {
        return Instant.ofEpochMilli(record.timestamp());
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        if (header == null || record.key() == null) {
            throw new IllegalArgumentException("no " + name + " header");
        }
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
