package dev.docsync.contracts;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Per-operation outcome as the client sees it. {@code merged} (a stale update merged three-way) counts as
 * successful, like {@code success}.
 */
public enum ResultStatus {
    SUCCESS, MERGED, CONFLICT, ERROR, SKIPPED;

    /** Whether the operation applied: {@code success} or {@code merged}. */
    public boolean successful() {
        return this == SUCCESS || this == MERGED;
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
