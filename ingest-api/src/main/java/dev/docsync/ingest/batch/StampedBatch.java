package dev.docsync.ingest.batch;

import dev.docsync.contracts.OperationEvent;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A batch after stamping: every non-deterministic decision made, one event per operation. */
record StampedBatch(UUID batchId, String workspaceId, String actor, Instant stampedAt, List<OperationEvent> events) {
    StampedBatch {
        events = List.copyOf(events);
    }
}
