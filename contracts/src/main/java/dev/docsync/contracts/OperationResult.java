package dev.docsync.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The outcome of one operation, reported in request order. {@code current} is the server's state of the
 * document on a conflict or error; {@code currentOmitted} is true where a result's budget of current states
 * (DESIGN §3.1) was spent or the document's state was already given for an earlier operation.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OperationResult(String clientId, OperationType operation, ResultStatus status, String documentId,
        Long version, ErrorInfo error, DocumentView current, Boolean currentOmitted) {

    public OperationResult(String clientId, OperationType operation, ResultStatus status, String documentId,
            Long version, ErrorInfo error, DocumentView current) {
        this(clientId, operation, status, documentId, version, error, current, null);
    }

    /** This result without its {@code current} state, saying so. */
    public OperationResult withoutCurrent() {
        return new OperationResult(clientId, operation, status, documentId, version, error, null, true);
    }
}
