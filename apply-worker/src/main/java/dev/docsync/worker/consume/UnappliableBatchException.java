package dev.docsync.worker.consume;

import dev.docsync.projection.apply.RefusedWrite;
import dev.docsync.worker.apply.decide.GatheredBatch;

/** The reason a batch's events are dead-lettered: the projection refused the batch (DESIGN §6.7). */
final class UnappliableBatchException extends RuntimeException {

    UnappliableBatchException(GatheredBatch batch, RefusedWrite refused) {
        super("batch " + batch.batchId() + " is unappliable: SQLSTATE " + refused.sqlState() + ": " + refused.reason(),
                null, false, false);
    }
}
