package dev.docsync.projection.apply;

import dev.docsync.contracts.BatchResult;
import java.time.Instant;
import java.util.List;

/** Everything one applied batch writes: its result and its document changes in apply order. */
public record AppliedBatch(BatchResult result, String actor, Instant stampedAt, LogPosition position,
        List<DocumentChange> changes) {
    public AppliedBatch {
        changes = List.copyOf(changes);
    }
}
