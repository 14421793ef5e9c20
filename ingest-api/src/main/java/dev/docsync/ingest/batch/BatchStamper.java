package dev.docsync.ingest.batch;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import dev.docsync.contracts.BatchRequest;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Decides everything non-deterministic about a batch before it reaches the log: its id (UUIDv7), the time
 * (millisecond precision, as clients see it), the ids of created documents, and each operation's seq.
 */
@Component
class BatchStamper {

    private final TimeBasedEpochGenerator uuids = Generators.timeBasedEpochGenerator();
    private final Clock clock;

    BatchStamper(Clock clock) {
        this.clock = clock;
    }

    StampedBatch stamp(BatchRequest request, String actor, OperationEvent.Idempotency idempotency) {
        UUID batchId = uuids.generate();
        Instant stampedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        List<OperationRequest> ops = request.operations();
        List<OperationEvent> events = new ArrayList<>(ops.size());
        for (int seq = 0; seq < ops.size(); seq++) {
            OperationRequest op = ops.get(seq);
            String documentId = op.documentId() != null ? op.documentId() : uuids.generate().toString();
            events.add(new OperationEvent(OperationEvent.CURRENT_SCHEMA, batchId, request.workspaceId(), seq,
                    ops.size(), request.atomic(), actor, stampedAt, op.clientId(), op.operation(), documentId,
                    op.baseVersion(), op.data(), idempotency, request.onConflict()));
        }
        return new StampedBatch(batchId, request.workspaceId(), actor, stampedAt, events);
    }
}
