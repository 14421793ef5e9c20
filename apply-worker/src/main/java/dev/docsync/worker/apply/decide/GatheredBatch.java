package dev.docsync.worker.apply.decide;

import dev.docsync.contracts.OperationEvent;
import dev.docsync.projection.apply.LogPosition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * All events of one batch, ordered by seq, the log position at which the batch became complete and the log's
 * timestamp of its first record ({@code loggedAt}: part of the log, so replay reads the same; a deterministic
 * stand-in for the stamp when none can be read or stored). A batch some of whose events could not be read carries
 * them as {@link Unreadable}: then {@code events} holds only the readable ones (perhaps none) and the batch is
 * rejected as a whole.
 */
public record GatheredBatch(List<OperationEvent> events, LogPosition position, Instant loggedAt,
        Optional<Unreadable> unreadable) {

    /**
     * What the record headers and key still say about a batch with unreadable events: its id, workspace and
     * size, and the reason per unreadable seq.
     */
    public record Unreadable(UUID batchId, String workspaceId, int count, Map<Integer, String> reasons) {
        public Unreadable {
            reasons = Map.copyOf(reasons);
        }
    }

    public GatheredBatch {
        events = List.copyOf(events);
        if (events.isEmpty() && unreadable.isEmpty()) {
            throw new IllegalArgumentException("a batch has at least one event");
        }
    }

    /** A batch whose events were all read. */
    public GatheredBatch(List<OperationEvent> events, LogPosition position, Instant loggedAt) {
        this(events, position, loggedAt, Optional.empty());
    }

    /**
     * A batch whose events were all read, logged at its first event's stamp (as ingest writes them: its producer
     * gives a record the time it sends it, just after stamping).
     */
    public GatheredBatch(List<OperationEvent> events, LogPosition position) {
        this(events, position, events.getFirst().stampedAt());
    }

    /** A batch some (perhaps all) of whose events could not be read: {@code events} are the readable ones. */
    public GatheredBatch(List<OperationEvent> events, LogPosition position, Instant loggedAt, Unreadable unreadable) {
        this(events, position, loggedAt, Optional.of(unreadable));
    }

    public UUID batchId() {
        return unreadable.map(Unreadable::batchId).orElseGet(() -> events.getFirst().batchId());
    }

    public String workspaceId() {
        return unreadable.map(Unreadable::workspaceId).orElseGet(() -> events.getFirst().workspaceId());
    }

    /** The first readable event; a batch with unreadable events may have none. */
    public OperationEvent first() {
        return events.getFirst();
    }
}
