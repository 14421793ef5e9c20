package dev.docsync.projection.batches;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long a batch's result is kept after its stamp, one setting for both apps ({@code DOCSYNC_RESULT_RETENTION},
 * in {@code docsync-projection.yml}): the apply-worker's retention job prunes results past it, and ingest tells a
 * poll of such a batch that it expired. At least the Idempotency-Key retention: a retry answers with the result of
 * the batch it repeats.
 */
@ConfigurationProperties("docsync.retention")
public record ResultRetention(@DefaultValue("7d") Duration results) {

    /** When the batch was stamped, read from its id (a UUIDv7 carries its creation time); empty for other ids. */
    public static Optional<Instant> stampOf(UUID batchId) {
        return batchId.version() == 7 ? Optional.of(Instant.ofEpochMilli(batchId.getMostSignificantBits() >>> 16))
                : Optional.empty();
    }

    /** Whether a batch with this id is older than the retention at {@code now}, so its result may be pruned. */
    public boolean expired(UUID batchId, Instant now) {
        return stampOf(batchId).map(stamp -> stamp.plus(results).isBefore(now)).orElse(false);
    }
}
