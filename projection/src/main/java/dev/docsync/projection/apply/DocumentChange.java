package dev.docsync.projection.apply;

import dev.docsync.contracts.MergeInfo;
import dev.docsync.contracts.OperationType;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One successful write: the document's state after it, the bodies it brought (those its event carried, or a
 * three-way merge made; a state that keeps a body refers to the stored one by digest), who made it, and its place
 * in apply order (the batch's log position, then {@code applyIndex} within the batch); for an update merged
 * three-way, how it merged (the algorithm and the base version it merged from).
 */
public record DocumentChange(DocumentHead state, List<Body> bodies, OperationType operation, String actor,
        UUID batchId, String clientId, Instant stampedAt, LogPosition position, int applyIndex,
        Optional<MergeInfo> merge) {

    public DocumentChange {
        bodies = List.copyOf(bodies);
        Objects.requireNonNull(merge, "merge");
    }

    /** A write that did not merge. */
    public DocumentChange(DocumentHead state, List<Body> bodies, OperationType operation, String actor,
            UUID batchId, String clientId, Instant stampedAt, LogPosition position, int applyIndex) {
        this(state, bodies, operation, actor, batchId, clientId, stampedAt, position, applyIndex, Optional.empty());
    }
}
