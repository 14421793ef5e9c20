package dev.docsync.contracts;

import java.time.Instant;

/** A document's state as clients read it (GET, {@code current} of a conflict, body of a 410). */
public record DocumentView(String documentId, String workspaceId, long version, String title, String content,
        String yjsStateB64, boolean deleted, Instant createdAt, Instant updatedAt, String updatedBy) {
}
