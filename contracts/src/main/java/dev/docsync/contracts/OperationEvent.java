package dev.docsync.contracts;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;

/**
 * One operation of a stamped batch, as written to the operations topic (DESIGN §5). Everything the apply
 * step needs is in here, so that applying the log is a pure function of the log. {@code clientId} is null
 * for single-document writes, which have no client-side operation id. {@code onConflict} (an additive, optional
 * field of schema 1) is the batch's choice for stale updates; absent means {@code report}, and it is written only
 * when it is {@code merge}.
 */
public record OperationEvent(int schema, UUID batchId, String workspaceId, int seq, int count, boolean atomic,
        String actor, Instant stampedAt, String clientId, OperationType operation, String documentId,
        Long baseVersion, DocumentData data, Idempotency idempotency,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = OnConflict.OmitReport.class)
        OnConflict onConflict) {

    public static final int CURRENT_SCHEMA = 1;

    /**
     * The client's {@code Idempotency-Key} and a hash of the request it came with; null without the header.
     * An additive, optional field of schema 1.
     */
    public record Idempotency(String key, String requestHash) {
        public Idempotency {
            requireNonNull(key, "key");
            requireNonNull(requestHash, "requestHash");
        }
    }

    /** An event of a batch that reports conflicts. */
    public OperationEvent(int schema, UUID batchId, String workspaceId, int seq, int count, boolean atomic,
            String actor, Instant stampedAt, String clientId, OperationType operation, String documentId,
            Long baseVersion, DocumentData data, Idempotency idempotency) {
        this(schema, batchId, workspaceId, seq, count, atomic, actor, stampedAt, clientId, operation, documentId,
                baseVersion, data, idempotency, OnConflict.REPORT);
    }

    /** An event without an idempotency key. */
    public OperationEvent(int schema, UUID batchId, String workspaceId, int seq, int count, boolean atomic,
            String actor, Instant stampedAt, String clientId, OperationType operation, String documentId,
            Long baseVersion, DocumentData data) {
        this(schema, batchId, workspaceId, seq, count, atomic, actor, stampedAt, clientId, operation, documentId,
                baseVersion, data, null);
    }

    public OperationEvent {
        requireNonNull(batchId, "batchId");
        requireNonNull(workspaceId, "workspaceId");
        requireNonNull(actor, "actor");
        requireNonNull(stampedAt, "stampedAt");
        requireNonNull(operation, "operation");
        requireNonNull(documentId, "documentId");
        onConflict = onConflict == null ? OnConflict.REPORT : onConflict;
        if (seq < 0 || seq >= count) {
            throw new IllegalArgumentException("seq " + seq + " outside batch of " + count);
        }
    }
}
