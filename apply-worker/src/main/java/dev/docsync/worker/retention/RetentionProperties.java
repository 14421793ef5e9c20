package dev.docsync.worker.retention;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the retention job prunes what only grows with traffic (DESIGN §6.8). Results and Idempotency-Keys keep the
 * settings both apps read: {@code ResultRetention} ({@code DOCSYNC_RESULT_RETENTION}) and {@code IdempotencyProperties}
 * ({@code DOCSYNC_IDEMPOTENCY_RETENTION}).
 *
 * @param receipts how long a receipt (a pending batch's note) is kept after its stamp
 *     ({@code DOCSYNC_RECEIPT_RETENTION})
 * @param interval how often the retention job runs ({@code DOCSYNC_RETENTION_INTERVAL})
 * @param batchSize rows one delete statement removes at most; a run repeats it until nothing more is due
 * @param enabled off only for a worker that must never delete (e.g. while investigating)
 */
@ConfigurationProperties("docsync.retention")
public record RetentionProperties(
        @DefaultValue("7d") Duration receipts,
        @DefaultValue("1m") Duration interval,
        @DefaultValue("1000") int batchSize,
        @DefaultValue("true") boolean enabled) {
}
