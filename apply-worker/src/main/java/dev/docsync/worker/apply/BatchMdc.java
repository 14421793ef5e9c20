package dev.docsync.worker.apply;

import dev.docsync.worker.apply.decide.GatheredBatch;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** {@code batch_id} and {@code workspace_id} in the logging context while one batch applies, removed after. */
final class BatchMdc {

    private static final Logger log = LoggerFactory.getLogger(BatchMdc.class);

    private BatchMdc() {
    }

    static <T> T around(GatheredBatch batch, Supplier<T> step) {
        try (var workspaceId = MDC.putCloseable("workspace_id", batch.workspaceId());
                var batchId = MDC.putCloseable("batch_id", batch.batchId().toString())) {
            log.debug("Applying batch of {} events at {}", batch.events().size(), batch.position());
            return step.get();
        }
    }
}
