package dev.docsync.worker.consume;

import dev.docsync.contracts.OperationEvent;
import dev.docsync.projection.apply.LogPosition;
import dev.docsync.worker.apply.GatheredBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Gathers the events of batches on one partition. Concurrent producer transactions may interleave their
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

    public PartitionBuffer(int partition, long committed) {
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

    public void committed(long offset) {
        committed = offset;
    }

    /** Adds one event read at {@code offset}; returns the batch if this event completed it. */
    public GatheredBatch add(OperationEvent event, long offset) {
        if (event.count() > MAX_EVENTS_PER_BATCH) {
            throw new IllegalArgumentException("event " + event.batchId() + "/" + event.seq() + " claims a batch of "
                    + event.count() + " events; at most " + MAX_EVENTS_PER_BATCH + " are accepted");
        }
        Gathering gathering = open.computeIfAbsent(event.batchId(), id -> new Gathering(offset, event.count()));
        if (!gathering.add(event)) {
            return null;
        }
        open.remove(event.batchId());
        return new GatheredBatch(Arrays.asList(gathering.events), new LogPosition(partition, offset));
    }

    /** Where to resume after everything up to {@code nextOffset} has been read and its complete batches applied. */
    public long resumeOffset(long nextOffset) {
        return open.values().stream().mapToLong(g -> g.firstOffset).min().orElse(nextOffset);
    }

    List<UUID> incompleteBatches() {
        return new ArrayList<>(open.keySet());
    }

    private static final class Gathering {
        final long firstOffset;
        final OperationEvent[] events;
        int received;

        Gathering(long firstOffset, int count) {
            this.firstOffset = firstOffset;
            this.events = new OperationEvent[count];
        }

        /** True when this event completed the batch; a repeated seq (a duplicated record) is ignored. */
        boolean add(OperationEvent event) {
            if (event.count() != events.length) {
                throw new IllegalArgumentException("event " + event.batchId() + "/" + event.seq() + " says count "
                        + event.count() + " but its batch started with count " + events.length);
            }
            if (events[event.seq()] == null) {
                events[event.seq()] = event;
                received++;
            }
            return received == events.length;
        }
    }
}
