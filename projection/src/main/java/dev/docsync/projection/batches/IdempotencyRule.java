package dev.docsync.projection.batches;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The one Idempotency-Key rule, for ingest's early answer and the apply-worker's last word: a key that its actor
 * used in the workspace protects for {@code retention} after the first batch's stamp, both ends included. A batch
 * with that key within it repeats the first one (same request) or is refused (another request); later, the key is
 * free and the batch claims it. The worker measures between the stamps (so replay decides the same), ingest at its
 * clock's now, which comes before the stamp it would give, so ingest never answers "retry" where the worker would not.
 */
public record IdempotencyRule(Duration retention) {

    public IdempotencyRule {
        requireNonNull(retention);
        if (retention.isNegative()) {
            throw new IllegalArgumentException("idempotency retention must not be negative: " + retention);
        }
    }

    /** What a batch with an Idempotency-Key is. */
    public sealed interface Decision permits Claims, Repeats, Reuses {
    }

    /** The key is unused (or its protection ended): the batch applies and owns the key from now on. */
    public record Claims() implements Decision {
    }

    /** A retry of {@code original} (same request): nothing applies again, it answers as the original. */
    public record Repeats(IdempotencyKeys.Owner original) implements Decision {
    }

    /** The key protects another request: the batch is refused. */
    public record Reuses() implements Decision {
    }

    /**
     * @param owner the batch that owns the key (its request hash, id and stamp), if any
     * @param requestHash the new batch's request hash
     * @param at the new batch's stamp (worker), or now (ingest)
     */
    public Decision decide(Optional<IdempotencyKeys.Owner> owner, String requestHash, Instant at) {
        if (owner.isEmpty() || !protects(owner.get().stampedAt(), at)) {
            return new Claims();
        }
        return owner.get().requestHash().equals(requestHash) ? new Repeats(owner.get()) : new Reuses();
    }

    /** Whether a key first used at {@code ownerStamp} still protects at {@code at}: up to and including the end. */
    public boolean protects(Instant ownerStamp, Instant at) {
        return !at.isAfter(ownerStamp.plus(retention));
    }
}
