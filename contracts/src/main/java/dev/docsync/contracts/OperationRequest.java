package dev.docsync.contracts;

import static java.util.Objects.requireNonNull;

/**
 * One operation of a batch, as validated from the request. {@code documentId} is null only for a create;
 * {@code clientId} only for a single-document write.
 */
public record OperationRequest(String clientId, OperationType operation, String documentId, Long baseVersion,
        DocumentData data) {
    public OperationRequest {
        requireNonNull(operation, "operation");
    }
}
