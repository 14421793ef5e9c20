package dev.docsync.worker.apply;

import dev.docsync.worker.apply.decide.GatheredBatch;

/** What one record did to the batches of its partition. */
sealed interface Gathered {

    /** Completed no batch: its batch waits for more events, or the record belongs to no batch. */
    record Incomplete() implements Gathered {
    }

    /** Completed a batch whose every event can be read. */
    record Complete(GatheredBatch batch) implements Gathered {
    }

    /** Completed a batch some of whose events cannot be read: the batch completes, rejected as a whole. */
    record Rejected(GatheredBatch batch) implements Gathered {
    }

    Gathered INCOMPLETE = new Incomplete();
}
