package dev.docsync.contracts;

/** Kafka record headers carried by every operation event, so a consumer can group a batch without parsing. */
public final class EventHeaders {
    public static final String BATCH_ID = "batch-id";
    public static final String SEQ = "seq";
    public static final String COUNT = "count";

    private EventHeaders() {
    }
}
