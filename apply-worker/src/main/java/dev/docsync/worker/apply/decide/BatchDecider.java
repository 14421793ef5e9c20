package dev.docsync.worker.apply.decide;

import dev.docsync.contracts.OperationEvent;
import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.DocumentHead;
import dev.docsync.projection.apply.DocumentKey;
import dev.docsync.projection.batches.IdempotencyRule;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides what one complete batch makes, from the log and the states it is given alone: a batch with unreadable
 * events is rejected whole; a batch with an Idempotency-Key that the {@link IdempotencyRule} says is protected
 * repeats its original or is refused; every other batch goes through {@link BatchApplier}. No clock, no database.
 */
public final class BatchDecider {

    private final BatchApplier applier = new BatchApplier();
    private final IdempotencyRule keyRule;

    public BatchDecider(IdempotencyRule keyRule) {
        this.keyRule = keyRule;
    }

    /**
     * @param state current documents (see {@link BatchApplier#apply}); updated in place with what the batch wrote
     * @param keys the Idempotency-Keys owned so far, by {@link AppliedBatch.KeyClaim#scope()}; updated in place with
     *     the key the batch claims
     * @param versions what a merge of the batch reads besides the current state
     */
    public AppliedBatch decide(GatheredBatch batch, Map<DocumentKey, DocumentHead> state,
            Map<List<String>, AppliedBatch.KeyClaim> keys, DocumentVersions versions) {
        if (batch.unreadable().isPresent()) {
            return applier.unreadable(batch);
        }
        OperationEvent head = batch.first();
        if (head.idempotency() == null) {
            return applier.apply(batch, state, versions);
        }
        AppliedBatch.KeyClaim claim = new AppliedBatch.KeyClaim(head.actor(), head.workspaceId(),
                head.idempotency().key(), head.idempotency().requestHash(), head.batchId(), head.stampedAt());
        Optional<AppliedBatch.KeyClaim> owner = Optional.ofNullable(keys.get(claim.scope()));
        return switch (keyRule.decide(owner.map(AppliedBatch.KeyClaim::owner), claim.requestHash(), head.stampedAt())) {
            case IdempotencyRule.Repeats repeats -> applier.duplicate(batch, repeats.original().batchId());
            case IdempotencyRule.Reuses reuses -> applier.keyReused(batch);
            case IdempotencyRule.Claims claims -> {
                keys.put(claim.scope(), claim);
                yield applier.apply(batch, state, versions).withKeyClaim(claim);
            }
        };
    }

    /** The batch refused by the projection for {@code reason}: nothing of it applies ({@code unappliable}). */
    public AppliedBatch unappliable(GatheredBatch batch, String reason) {
        return applier.unappliable(batch, reason);
    }

    /** The Idempotency-Keys (by scope) that deciding {@code batches} reads. */
    public static Set<List<String>> keyScopes(Collection<GatheredBatch> batches) {
        Set<List<String>> scopes = new HashSet<>();
        for (GatheredBatch batch : batches) {
            if (batch.unreadable().isEmpty() && batch.first().idempotency() != null) {
                scopes.add(List.of(batch.first().actor(), batch.first().workspaceId(),
                        batch.first().idempotency().key()));
            }
        }
        return scopes;
    }

    /** The documents whose current state deciding {@code batches} reads. */
    public static Set<DocumentKey> documentKeys(Collection<GatheredBatch> batches) {
        Set<DocumentKey> keys = new HashSet<>();
        for (GatheredBatch batch : batches) {
            for (OperationEvent op : batch.events()) {
                keys.add(new DocumentKey(op.workspaceId(), op.documentId()));
            }
        }
        return keys;
    }
}
