package dev.docsync.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/** The three things a client can do to a document; spelled on the wire exactly as {@link #wire()}. */
public enum OperationType {
    CREATE("create"), UPDATE("update"), DELETE("delete");

    private final String wire;

    OperationType(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** Exact, case-sensitive lookup: "Create" is not an operation. */
    public static Optional<OperationType> fromWire(String value) {
        return Arrays.stream(values()).filter(t -> t.wire.equals(value)).findFirst();
    }

    @JsonCreator
    static OperationType parse(String value) {
        return fromWire(value).orElseThrow(() -> new IllegalArgumentException("unknown operation: " + value));
    }
}
