package dev.docsync.ingest.limits;

import dev.docsync.ingest.IngestProperties;
import dev.docsync.projection.batches.IdempotencyProperties;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/limits}: what a client must know to build batches and to resend them safely — above all
 * how long an Idempotency-Key is remembered, so that a batch stored longer than that is rebuilt, not resent.
 */
@RestController
class LimitsController {

    /** The limits of one batch and the key retention, as configured in this instance. */
    record ServerLimits(int maxOperations, long maxRequestBytes, long idempotencyRetentionSeconds) {
    }

    private final ServerLimits limits;

    LimitsController(IngestProperties properties, IdempotencyProperties idempotency) {
        this.limits = new ServerLimits(properties.maxOperations(), properties.maxRequestSize().toBytes(),
                idempotency.retention().toSeconds());
    }

    @Operation(summary = "The server's batch limits and how long an Idempotency-Key is remembered")
    @GetMapping("/api/v1/limits")
    ServerLimits limits() {
        return limits;
    }
}
