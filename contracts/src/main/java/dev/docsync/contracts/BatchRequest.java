package dev.docsync.contracts;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A validated batch request ({@code POST /api/v1/documents/batch}). */
public record BatchRequest(String workspaceId, boolean atomic, List<OperationRequest> operations) {
    public BatchRequest {
        requireNonNull(workspaceId, "workspaceId");
        operations = List.copyOf(operations);
    }
}
