package dev.docsync.contracts;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Per-operation error codes (DESIGN §3.5). */
public enum ErrorCode {
    VERSION_CONFLICT, NOT_FOUND, ALREADY_EXISTS, DELETED, INVALID, ATOMIC_BATCH_FAILED,
    /** The batch's Idempotency-Key was used before by the same actor with a different request. */
    IDEMPOTENCY_KEY_REUSED,
    /**
     * An event of the batch could not be read by the apply-worker (it is in the dead-letter topic); the batch
     * is rejected as a whole.
     */
    UNREADABLE_EVENT,
    /**
     * The projection refused the batch deterministically (a data error or size limit that no retry cures): the
     * batch is rejected as a whole and dead-lettered, and its partition moves on (DESIGN §6.7).
     */
    UNAPPLIABLE,
    /**
     * An {@code on_conflict: merge} batch's stale update could not be merged: fields collided (the result's
     * {@code merge} names them), or the edit met a delete (status {@code conflict}).
     */
    MERGE_CONFLICT;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
