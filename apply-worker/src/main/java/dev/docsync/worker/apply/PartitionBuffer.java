package dev.docsync.worker.apply;

import dev.docsync.contracts.OperationEvent;
import dev.docsync.projection.apply.LogPosition;
import dev.docsync.worker.apply.decide.GatheredBatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One partition as the apply sees it: the position stored for it and the batches it is gathering. Callers hold it
 * (one per partition) and hand it back to {@link ChunkApplier}; only the applier changes it.
 *
 * <p>Concurrent producer transactions may interleave their
 * records, so a batch is complete when all {@code count} events have arrived, not when a run of records ends.
 * The position safe to resume from is the first offset of the oldest incomplete batch: anything after it
 * that was already applied is recognised by its batch id and skipped.
 */
public final class PartitionBuffer {

    /** Far above any batch ingest accepts; guards memory against a corrupt {@code count}. */
    static final int MAX_EVENTS_PER_BATCH = 10_000;

    private final int partition;
    private final Map<UUID, Gathering> open = new LinkedHashMap<>();
    private long committed;

    PartitionBuffer(int partition, long committed) {
        this.partition = partition;
        this.committed = committed;
    }

    public int partition() {
        return partition;
    }

    /** The position stored in PostgreSQL for this partition, as this worker last wrote or read it. */
    public long committed() {
        return committed;
    }

    void committed(long offset) {
        committed = offset;
    }

    /**
     * Adds one event read at {@code offset} and logged at {@code loggedAt} (its record's timestamp): complete (or
     * rejected) if it completed its batch.
     */
    Gathered add(OperationEvent event, long offset, Instant loggedAt) {
        Gathering gathering = gathering(event.batchId(), event.workspaceId(), event.count(), offset, loggedAt);
        if (!gathering.add(event)) {
            return Gathered.INCOMPLETE;
        }
        return complete(event.batchId(), gathering, offset);
    }

    /**
     * Counts in an event that cannot be read but whose record headers name its batch and place: the batch
     * still completes (rejected, with {@code reason}) instead of holding its partition's position forever.
     */
    Gathered addUnreadable(UUID batchId, String workspaceId, int seq, int count, long offset,
            Instant loggedAt, String reason) {
        Gathering gathering = gathering(batchId, workspaceId, count, offset, loggedAt);
        if (seq < 0 || seq >= count) {
            throw new IllegalArgumentException("seq " + seq + " outside batch of " + count);
        }
        if (!gathering.addUnreadable(seq, reason)) {
            return Gathered.INCOMPLETE;
        }
        return complete(batchId, gathering, offset);
    }

    private Gathering gathering(UUID batchId, String workspaceId, int count, long offset, Instant loggedAt) {
        if (count > MAX_EVENTS_PER_BATCH) {
            throw new IllegalArgumentException("an event of batch " + batchId + " claims a batch of " + count
                    + " events; at most " + MAX_EVENTS_PER_BATCH + " are accepted");
        }
        return open.computeIfAbsent(batchId, id -> new Gathering(offset, count, workspaceId, loggedAt));
    }

    private Gathered complete(UUID batchId, Gathering gathering, long offset) {
        open.remove(batchId);
        LogPosition position = new LogPosition(partition, offset);
        List<OperationEvent> readable = Arrays.stream(gathering.events).filter(Objects::nonNull).toList();
        if (gathering.reasons.isEmpty()) {
            return new Gathered.Complete(new GatheredBatch(readable, position, gathering.loggedAt));
        }
        return new Gathered.Rejected(new GatheredBatch(readable, position, gathering.loggedAt,
                new GatheredBatch.Unreadable(batchId, gathering.workspaceId, gathering.events.length,
                        gathering.reasons)));
    }

    /** Where to resume after everything up to {@code nextOffset} has been read and its complete batches applied. */
    long resumeOffset(long nextOffset) {
        return open.values().stream().mapToLong(g -> g.firstOffset).min().orElse(nextOffset);
    }

    List<UUID> incompleteBatches() {
        return new ArrayList<>(open.keySet());
    }

    private static final class Gathering {
        final long firstOffset;
        final OperationEvent[] events;
        final String workspaceId;
        final Instant loggedAt;
        final Map<Integer, String> reasons = new TreeMap<>();
        int received;

        Gathering(long firstOffset, int count, String workspaceId, Instant loggedAt) {
            this.firstOffset = firstOffset;
            this.events = new OperationEvent[count];
            this.workspaceId = workspaceId;
            this.loggedAt = loggedAt;
        }

        /** True when this unreadable event completed the batch; a repeated seq is ignored. */
        boolean addUnreadable(int seq, String reason) {
            if (events[seq] == null && !reasons.containsKey(seq)) {
                reasons.put(seq, reason);
                received++;
            }
            return received == events.length;
        }

        /** True when this event completed the batch; a repeated seq (a duplicated record) is ignored. */
        boolean add(OperationEvent event) {
            if (event.count() != events.length) {
                throw new IllegalArgumentException("event " + event.batchId() + "/" + event.seq() + " says count "
                        + event.count() + " but its batch started with count " + events.length);
            }
            if (events[event.seq()] == null && !reasons.containsKey(event.seq())) {
                events[event.seq()] = event;
                received++;
            }
            return received == events.length;
        }
    }
}
