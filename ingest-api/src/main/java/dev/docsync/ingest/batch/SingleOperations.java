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

    /** A write appended to the log (or found by its Idempotency-Key), holding no request: what {@link #answer} waits on. */
    public static final class Appended {
        private final BatchSubmission.Submitted submitted;

        private Appended(BatchSubmission.Submitted submitted) {
            this.submitted = submitted;
        }
    }

    /**
     * Appends the write as a one-operation batch. The caller passes what this returns straight to {@link #answer},
     * from a frame that no longer holds the request: a write waiting out its sync wait holds no body (the batch path's
     * rule, {@link BatchSubmission#append}).
     *
     * @param idempotencyKey the request's {@code Idempotency-Key} header (or null); {@code request} identifies
     *     the request it came with (method, path, precondition and body), so a reuse with another is a 422
     */
    public Appended append(String workspaceId, String actor, OperationRequest operation, String idempotencyKey,
            byte[] request) {
        return new Appended(submission.append(new BatchRequest(workspaceId, false, List.of(operation)), actor,
                new Preferences(false, properties.syncWait()), IdempotencyKeyHeader.parse(idempotencyKey, request)));
    }

    /** Waits for the appended write's result, as long as the sync wait. */
    public Applied answer(Appended appended) {
        BatchSubmission.Outcome outcome = submission.answer(appended.submitted);
        BatchSubmission.BatchRef batch = outcome.batch();
        return new Applied(batch.batchId(), BatchAnswer.pending(batch.batchId(), batch.workspaceId()),
                outcome.applied().map(answer -> answer.operationResults().getFirst()));
    }
}
