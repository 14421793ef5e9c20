package dev.docsync.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The outcome of one operation, reported in request order. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OperationResult(String clientId, OperationType operation, ResultStatus status, String documentId,
        Long version, ErrorInfo error, DocumentView current) {
}
