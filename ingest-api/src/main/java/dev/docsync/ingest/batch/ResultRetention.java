package dev.docsync.ingest.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long the apply-worker keeps a batch's result after its stamp: the same property the worker's retention job
 * reads ({@code docsync.retention.results}, {@code DOCSYNC_RESULT_RETENTION}).
 */
@ConfigurationProperties("docsync.retention")
record ResultRetention(@DefaultValue("7d") Duration results) {

    /** When the batch was stamped, read from its id (a UUIDv7 carries its creation time); empty for other ids. */
    static Optional<Instant> stampOf(UUID batchId) {
        return batchId.version() == 7 ? Optional.of(Instant.ofEpochMilli(batchId.getMostSignificantBits() >>> 16))
                : Optional.empty();
    }

    /** Whether a batch with this id is older than the retention at {@code now}, so its result may be pruned. */
    boolean expired(UUID batchId, Instant now) {
        return stampOf(batchId).map(stamp -> stamp.plus(results).isBefore(now)).orElse(false);
    }
}
