package dev.docsync.projection.apply;

import dev.docsync.contracts.DocumentView;
import dev.docsync.contracts.OperationType;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * One successful write: the document's state after it, who made it, and its place in apply order (the batch's
 * log position, then {@code applyIndex} within the batch); for an update merged three-way, the base version it
 * was merged from.
 */
public record DocumentChange(DocumentView state, OperationType operation, String actor, UUID batchId,
        String clientId, Instant stampedAt, LogPosition position, int applyIndex, OptionalLong mergedFrom) {

    public DocumentChange {
        java.util.Objects.requireNonNull(mergedFrom, "mergedFrom");
    }

    /** A write that did not merge. */
    public DocumentChange(DocumentView state, OperationType operation, String actor, UUID batchId, String clientId,
            Instant stampedAt, LogPosition position, int applyIndex) {
        this(state, operation, actor, batchId, clientId, stampedAt, position, applyIndex, OptionalLong.empty());
    }
}
