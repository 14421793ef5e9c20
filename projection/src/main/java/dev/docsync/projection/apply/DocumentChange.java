package dev.docsync.projection.apply;

import dev.docsync.contracts.DocumentView;
import dev.docsync.contracts.MergeInfo;
import dev.docsync.contracts.OperationType;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One successful write: the document's state after it, who made it, and its place in apply order (the batch's
 * log position, then {@code applyIndex} within the batch); for an update merged three-way, how it merged (the
 * algorithm and the base version it merged from).
 */
public record DocumentChange(DocumentView state, OperationType operation, String actor, UUID batchId,
        String clientId, Instant stampedAt, LogPosition position, int applyIndex, Optional<MergeInfo> merge) {

    public DocumentChange {
        Objects.requireNonNull(merge, "merge");
    }

    /** A write that did not merge. */
    public DocumentChange(DocumentView state, OperationType operation, String actor, UUID batchId, String clientId,
            Instant stampedAt, LogPosition position, int applyIndex) {
        this(state, operation, actor, batchId, clientId, stampedAt, position, applyIndex, Optional.empty());
    }
}
