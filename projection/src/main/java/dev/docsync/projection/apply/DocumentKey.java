package dev.docsync.projection.apply;

import static java.util.Objects.requireNonNull;

public record DocumentKey(String workspaceId, String documentId) {
    public DocumentKey {
        requireNonNull(workspaceId, "workspaceId");
        requireNonNull(documentId, "documentId");
    }
}
