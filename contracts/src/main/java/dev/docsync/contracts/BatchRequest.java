package dev.docsync.contracts;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A validated batch request ({@code POST /api/v1/documents/batch}). */
public record BatchRequest(String workspaceId, boolean atomic, OnConflict onConflict,
        List<OperationRequest> operations) {
    public BatchRequest {
        requireNonNull(workspaceId, "workspaceId");
        requireNonNull(onConflict, "onConflict");
        operations = List.copyOf(operations);
    }

    /** A batch that reports conflicts (the default). */
    public BatchRequest(String workspaceId, boolean atomic, List<OperationRequest> operations) {
        this(workspaceId, atomic, OnConflict.REPORT, operations);
    }
}
