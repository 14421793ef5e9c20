package dev.docsync.worker.apply;

import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.worker.apply.decide.BatchApplier;
import dev.docsync.worker.apply.decide.GatheredBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the batches one poll completed into apply transactions of at most {@code maxBytes} of event data each
 * (DESIGN §6.8: one apply transaction holds a fixed number of bytes, whatever a poll brings). A batch larger than
 * the bound is a transaction of its own. Each transaction but the last moves the partition's stored position to
 * where the poll would have resumed had it ended just before the record that completed the first batch left
 * out, so a crash between them neither loses a batch nor applies one twice (a batch applied already is
 * recognised by its id when its records are read again).
 */
final class ChunkCutter {

    /** The batches of one apply transaction and the stored position it moves to. */
    record Chunk(List<GatheredBatch> batches, long next) {
        Chunk {
            batches = List.copyOf(batches);
        }
    }

    /** Ids, actor, stamps and the JSON around them: what an event holds besides its data. */
    static final long EVENT_OVERHEAD_BYTES = 512;

    private final long maxBytes;
    private final List<Chunk> cut = new ArrayList<>();
    private List<GatheredBatch> held = new ArrayList<>();
    private long heldBytes;

    ChunkCutter(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("max-transaction-bytes must be positive: " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /**
     * Adds a batch the record at some offset completed; {@code resumeBefore} is where the partition would resume
     * had the poll ended just before that record (the buffer's resume offset before it was added).
     */
    void add(GatheredBatch batch, long resumeBefore) {
        long bytes = bytes(batch);
        if (!held.isEmpty() && heldBytes + bytes > maxBytes) {
            cut.add(new Chunk(held, resumeBefore));
            held = new ArrayList<>();
            heldBytes = 0;
        }
        held.add(batch);
        heldBytes += bytes;
    }

    /** The transactions to apply in order; the last one moves the position to {@code next}, the poll's end. */
    List<Chunk> finish(long next) {
        cut.add(new Chunk(held, next));
        return List.copyOf(cut);
    }

    /**
     * What a batch's events hold: their data's characters (about its UTF-8 bytes) and a fixed overhead each; for a
     * batch that may merge three-way, also what its merges may read and make ({@link BatchApplier#mergeReserveBytes}).
     */
    static long bytes(GatheredBatch batch) {
        long bytes = BatchApplier.mergeReserveBytes(batch);
        for (OperationEvent event : batch.events()) {
            bytes += EVENT_OVERHEAD_BYTES + length(event.data());
        }
        if (batch.unreadable().isPresent()) {
            bytes += (batch.unreadable().get().count() - batch.events().size()) * EVENT_OVERHEAD_BYTES;
        }
        return bytes;
    }

    private static long length(DocumentData data) {
        if (data == null) {
            return 0;
        }
        return length(data.title()) + length(data.content()) + length(data.yjsStateB64());
    }

    private static long length(String text) {
        return text == null ? 0 : text.length();
    }
}
