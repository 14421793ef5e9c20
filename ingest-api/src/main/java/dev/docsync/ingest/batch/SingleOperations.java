package dev.docsync.ingest.batch;

import dev.docsync.contracts.BatchRequest;
import dev.docsync.contracts.BatchAnswer;
import dev.docsync.contracts.OperationRequest;
import dev.docsync.contracts.OperationResult;
import dev.docsync.ingest.IngestProperties;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** Single-document writes as one-operation batches, through exactly the batch write path. */
@Service
public class SingleOperations {

    /** The operation's result once applied, or empty when the wait ran out (then poll {@code batchId}). */
    public record Applied(UUID batchId, BatchAnswer pending, Optional<OperationResult> result) {
    }

    private final BatchSubmission submission;
    private final IngestProperties properties;

    SingleOperations(BatchSubmission submission, IngestProperties properties) {
        this.submission = submission;
        this.properties = properties;
    }

    /**
     * @param idempotencyKey the request's {@code Idempotency-Key} header (or null); {@code request} identifies
     *     the request it came with (method, path, precondition and body), so a reuse with another is a 422
     */
    public Applied apply(String workspaceId, String actor, OperationRequest operation, String idempotencyKey,
            byte[] request) {
        BatchSubmission.Outcome outcome = submission.submit(new BatchRequest(workspaceId, false, List.of(operation)),
                actor, new Preferences(false, properties.syncWait()), IdempotencyKeyHeader.parse(idempotencyKey, request));
        BatchSubmission.BatchRef batch = outcome.batch();
        return new Applied(batch.batchId(), BatchAnswer.pending(batch.batchId(), batch.workspaceId()),
                outcome.applied().map(answer -> answer.operationResults().getFirst()));
    }
}
