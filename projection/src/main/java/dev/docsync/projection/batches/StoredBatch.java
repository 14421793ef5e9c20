package dev.docsync.projection.batches;

import dev.docsync.contracts.BatchResult;
import java.time.Instant;

/** A batch as known to the projection: applied (result and times) or only acknowledged (pending). */
public record StoredBatch(String workspaceId, String actor, BatchResult result, Instant stampedAt, Instant appliedAt) {

    public boolean isApplied() {
        return appliedAt != null;
    }
}
