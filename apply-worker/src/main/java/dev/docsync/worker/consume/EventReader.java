package dev.docsync.worker.consume;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.OperationEvent;

/** Reads an operation event from a record value; throws for anything that is not one this worker understands. */
public final class EventReader {

    private EventReader() {
    }

    public static OperationEvent read(byte[] value) {
        OperationEvent event = DocsyncJson.mapper().readValue(value, OperationEvent.class);
        if (event.schema() != OperationEvent.CURRENT_SCHEMA) {
            throw new IllegalArgumentException("unsupported event schema " + event.schema());
        }
        return event;
    }
}
