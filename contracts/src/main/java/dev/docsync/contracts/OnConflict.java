package dev.docsync.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/**
 * What a batch asks for when an update's {@code base_version} is stale (DESIGN §3.1): {@code report} it as a
 * conflict (the default), or {@code merge} it three-way with what changed since.
 */
public enum OnConflict {
    REPORT("report"), MERGE("merge");

    private final String wire;

    OnConflict(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** Exact, case-sensitive lookup. */
    public static Optional<OnConflict> fromWire(String value) {
        return Arrays.stream(values()).filter(t -> t.wire.equals(value)).findFirst();
    }

    @JsonCreator
    static OnConflict parse(String value) {
        return fromWire(value).orElseThrow(() -> new IllegalArgumentException("unknown on_conflict: " + value));
    }

    /**
     * A Jackson value filter that leaves the default out of an event: events of batches that do not merge stay
     * byte for byte what they were before the field existed, so a worker that does not know it still reads them.
     */
    public static final class OmitReport {
        @Override
        public boolean equals(Object value) {
            return value == null || value == REPORT;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
