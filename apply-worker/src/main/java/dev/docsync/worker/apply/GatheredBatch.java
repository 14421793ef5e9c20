package dev.docsync.worker.apply;

import dev.docsync.contracts.OperationEvent;
import dev.docsync.projection.apply.LogPosition;
import java.util.List;
import java.util.UUID;

/** All events of one batch, ordered by seq, and the log position at which the batch became complete. */
public record GatheredBatch(List<OperationEvent> events, LogPosition position) {

    public GatheredBatch {
        events = List.copyOf(events);
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a batch has at least one event");
        }
    }

    public UUID batchId() {
        return events.getFirst().batchId();
    }

    public OperationEvent first() {
        return events.getFirst();
    }
}
