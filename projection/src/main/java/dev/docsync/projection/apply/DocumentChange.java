package dev.docsync.projection.apply;

import dev.docsync.contracts.DocumentView;
import dev.docsync.contracts.OperationType;
import java.time.Instant;
import java.util.UUID;

/**
 * One successful write: the document's state after it, who made it, and its place in apply order (the batch's
 * log position, then {@code applyIndex} within the batch).
 */
public record DocumentChange(DocumentView state, OperationType operation, String actor, UUID batchId,
        String clientId, Instant stampedAt, LogPosition position, int applyIndex) {
}
