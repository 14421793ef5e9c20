package dev.docsync.projection.apply;

import dev.docsync.contracts.BatchResult;
import dev.docsync.projection.batches.IdempotencyKeys;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Everything one applied batch writes: its result, the state each of its results reports as {@code current} (by
 * the result's index; stored as a reference, DESIGN §3.1) and its document changes in apply order; for a retry
 * recognised by its Idempotency-Key, the batch it repeats ({@code duplicateOf}); for a batch that is the first
 * with its key, the key it now owns ({@code keyClaim}).
 */
public record AppliedBatch(BatchResult result, Map<Integer, StateRef> currentStates, String actor, Instant stampedAt,
        LogPosition position, List<DocumentChange> changes, Optional<UUID> duplicateOf, Optional<KeyClaim> keyClaim) {

    /** An Idempotency-Key of an actor in a workspace, owned by the batch that first applied with it. */
    public record KeyClaim(String actor, String workspaceId, String key, String requestHash, UUID batchId,
            Instant stampedAt) {
        /** The claim's identity: (actor, workspace, key). */
        public List<String> scope() {
            return List.of(actor, workspaceId, key);
        }

        /** The claim as the Idempotency-Key rule sees its owner. */
        public IdempotencyKeys.Owner owner() {
            return new IdempotencyKeys.Owner(requestHash, batchId, stampedAt);
        }
    }

    public AppliedBatch {
        currentStates = Map.copyOf(currentStates);
        changes = List.copyOf(changes);
        if (duplicateOf.isPresent() && keyClaim.isPresent()) {
            throw new IllegalArgumentException("a retry answered as its original claims no key");
        }
    }

    public AppliedBatch(BatchResult result, Map<Integer, StateRef> currentStates, String actor, Instant stampedAt,
            LogPosition position, List<DocumentChange> changes) {
        this(result, currentStates, actor, stampedAt, position, changes, Optional.empty(), Optional.empty());
    }

    /** A batch whose results report no document state. */
    public AppliedBatch(BatchResult result, String actor, Instant stampedAt, LogPosition position,
            List<DocumentChange> changes) {
        this(result, Map.of(), actor, stampedAt, position, changes, Optional.empty(), Optional.empty());
    }

    /** A retry of {@code original}: it writes nothing but its result, which answers as the original's. */
    public static AppliedBatch duplicate(BatchResult result, String actor, Instant stampedAt, LogPosition position,
            UUID original) {
        return new AppliedBatch(result, Map.of(), actor, stampedAt, position, List.of(), Optional.of(original),
                Optional.empty());
    }

    public AppliedBatch withKeyClaim(KeyClaim claim) {
        return new AppliedBatch(result, currentStates, actor, stampedAt, position, changes, duplicateOf,
                Optional.of(claim));
    }
}
