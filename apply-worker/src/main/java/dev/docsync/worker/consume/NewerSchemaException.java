package dev.docsync.worker.consume;

/**
 * An event of a schema newer than this worker knows: not unreadable (a newer worker applies it), so its partition
 * waits for one instead of rejecting an acknowledged batch.
 */
public final class NewerSchemaException extends RuntimeException {

    private final int schema;

    public NewerSchemaException(int schema, int highestKnownSchema) {
        super("event schema " + schema + " is newer than this worker knows (" + highestKnownSchema + ")");
        this.schema = schema;
    }

    public int schema() {
        return schema;
    }
}
