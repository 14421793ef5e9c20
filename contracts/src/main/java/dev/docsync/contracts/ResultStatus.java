package dev.docsync.contracts;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Per-operation outcome as the client sees it. */
public enum ResultStatus {
    SUCCESS, CONFLICT, ERROR, SKIPPED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
