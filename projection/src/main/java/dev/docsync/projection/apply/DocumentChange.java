package dev.docsync.projection.apply;

import dev.docsync.contracts.OperationType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One successful write: the document's state after it, the bodies it brought (those its event carried; a state
 * that keeps a body refers to the stored one by digest), who made it, and its place in apply order (the batch's
 * log position, then {@code applyIndex} within the batch).
 */
public record DocumentChange(DocumentHead state, List<Body> bodies, OperationType operation, String actor,
        UUID batchId, String clientId, Instant stampedAt, LogPosition position, int applyIndex) {

    public DocumentChange {
        bodies = List.copyOf(bodies);
    }
}
