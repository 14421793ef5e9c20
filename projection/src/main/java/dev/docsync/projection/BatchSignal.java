package dev.docsync.projection;

/**
 * The PostgreSQL NOTIFY channel on which the apply transaction announces applied batches. PostgreSQL
 * delivers a notification only when its transaction commits, so a signalled result is always readable.
 * The payload is a comma-separated list of batch ids.
 */
public final class BatchSignal {
    public static final String CHANNEL = "docsync_batch_applied";

    private BatchSignal() {
    }
}
