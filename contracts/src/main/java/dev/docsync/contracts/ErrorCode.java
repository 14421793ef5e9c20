package dev.docsync.contracts;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Per-operation error codes (DESIGN §3.5). */
public enum ErrorCode {
    VERSION_CONFLICT, NOT_FOUND, ALREADY_EXISTS, DELETED, INVALID, ATOMIC_BATCH_FAILED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
