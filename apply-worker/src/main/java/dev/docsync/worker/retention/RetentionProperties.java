package dev.docsync.worker.retention;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long the projection keeps what only grows with traffic (DESIGN §6.8). Idempotency-Keys keep their one
 * setting, {@code docsync.idempotency.retention} ({@code DOCSYNC_IDEMPOTENCY_RETENTION}, {@code IdempotencyProperties}).
 *
 * @param results how long a batch's result is kept after its stamp ({@code DOCSYNC_RESULT_RETENTION}; ingest reads
 *     the same property to say that a batch older than this has expired); at least the Idempotency-Key retention
 * @param receipts how long a receipt (a pending batch's note) is kept after its stamp
 *     ({@code DOCSYNC_RECEIPT_RETENTION})
 * @param interval how often the retention job runs ({@code DOCSYNC_RETENTION_INTERVAL})
 * @param batchSize rows one delete statement removes at most; a run repeats it until nothing more is due
 * @param enabled off only for a worker that must never delete (e.g. while investigating)
 */
@ConfigurationProperties("docsync.retention")
public record RetentionProperties(
        @DefaultValue("7d") Duration results,
        @DefaultValue("7d") Duration receipts,
        @DefaultValue("1m") Duration interval,
        @DefaultValue("1000") int batchSize,
        @DefaultValue("true") boolean enabled) {
}
