package dev.docsync.projection.batches;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long an Idempotency-Key protects against a retry, measured between the batches' stamps (so replay decides
 * the same): one setting for both apps ({@code DOCSYNC_IDEMPOTENCY_RETENTION}). Ingest answers a retry early and
 * tells clients ({@code GET /api/v1/limits}); the apply-worker decides, and prunes keys past it.
 */
@ConfigurationProperties("docsync.idempotency")
public record IdempotencyProperties(@DefaultValue("24h") Duration retention) {
}
