package dev.docsync.projection.batches;

import dev.docsync.contracts.BatchAnswer;
import java.time.Instant;

/** A batch as known to the projection: applied (answer and times) or only acknowledged (pending). */
public record StoredBatch(String workspaceId, String actor, BatchAnswer answer, Instant stampedAt, Instant appliedAt) {

    public boolean isApplied() {
        return appliedAt != null;
    }
}
