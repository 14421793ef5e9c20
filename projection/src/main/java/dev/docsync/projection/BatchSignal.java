package dev.docsync.projection;

/**
 * The PostgreSQL NOTIFY channel on which the apply transaction announces applied batches. PostgreSQL
 * delivers a notification only when its transaction commits, so a signalled result is always readable.
 * The payload is a comma-separated list of batch ids.
 */
public final class BatchSignal {
    public static final String CHANNEL = "docsync_batch_applied";

    /**
     * The channel on which the same transaction announces the workspaces it changed (comma-separated ids), so
     * an ingest instance wakes the change-feed long-polls and streams of those workspaces once per workspace.
     */
    public static final String WORKSPACES_CHANNEL = "docsync_workspace_changed";

    /** NOTIFY payloads must stay under 8000 bytes. */
    public static final int MAX_PAYLOAD_CHARS = 7_000;

    private BatchSignal() {
    }
}
