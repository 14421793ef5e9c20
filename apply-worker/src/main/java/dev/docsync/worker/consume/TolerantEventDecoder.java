package dev.docsync.worker.consume;

import dev.docsync.contracts.OperationEvent;
import dev.docsync.worker.WorkerProperties;
import dev.docsync.worker.apply.EventDecoder;
import org.springframework.stereotype.Component;

/** The apply's event decoding: {@link EventReader} up to the newest schema this worker is configured to read. */
@Component
final class TolerantEventDecoder implements EventDecoder {

    private final int highestKnownSchema;

    TolerantEventDecoder(WorkerProperties properties) {
        this.highestKnownSchema = properties.highestKnownSchema();
    }

    @Override
    public OperationEvent decode(byte[] value) {
        return EventReader.read(value, highestKnownSchema);
    }
}
