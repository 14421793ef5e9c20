package dev.docsync.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The outcome of one operation, reported in request order. {@code current} is the server's state of the
 * document on a conflict or error; {@code currentOmitted} is true where a result's budget of current states
 * (DESIGN §3.1) was spent or the document's state was already given for an earlier operation. {@code merge} is
 * present on the results of a three-way merge ({@code merged}, or a {@code merge_conflict}); a merged result's
 * {@code current} is the merged state.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OperationResult(String clientId, OperationType operation, ResultStatus status, String documentId,
        Long version, ErrorInfo error, DocumentView current, Boolean currentOmitted, MergeInfo merge) {

    public OperationResult(String clientId, OperationType operation, ResultStatus status, String documentId,
            Long version, ErrorInfo error, DocumentView current) {
        this(clientId, operation, status, documentId, version, error, current, null, null);
    }

    public OperationResult(String clientId, OperationType operation, ResultStatus status, String documentId,
            Long version, ErrorInfo error, DocumentView current, Boolean currentOmitted) {
        this(clientId, operation, status, documentId, version, error, current, currentOmitted, null);
    }

    /** This result without its {@code current} state, saying so. */
    public OperationResult withoutCurrent() {
        return new OperationResult(clientId, operation, status, documentId, version, error, null, true, merge);
    }
}
