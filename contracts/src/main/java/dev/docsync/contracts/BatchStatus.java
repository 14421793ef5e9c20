package dev.docsync.contracts;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

public enum BatchStatus {
    PENDING, COMPLETED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
