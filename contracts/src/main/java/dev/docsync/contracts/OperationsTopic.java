package dev.docsync.contracts;

import java.util.Map;

/**
 * The operations topic's settings. The log is the source of truth, so it is never deleted by age or size,
 * and one record may carry most of a 10 MiB request.
 */
public final class OperationsTopic {

    public static final String DEFAULT_NAME = "docsync.operations";

    /** Largest event: a whole 10 MiB body in one operation plus the event's own fields, with room to spare. */
    public static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;

    public static final Map<String, String> CONFIGS = Map.of(
            "retention.ms", "-1",
            "retention.bytes", "-1",
            "cleanup.policy", "delete",
            "max.message.bytes", String.valueOf(MAX_EVENT_BYTES));

    private OperationsTopic() {
    }
}
