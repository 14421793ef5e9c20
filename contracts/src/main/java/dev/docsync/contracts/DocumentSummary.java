package dev.docsync.contracts;

import java.time.Instant;

/** A document in the list: no content. */
public record DocumentSummary(String documentId, long version, String title, boolean deleted, Instant updatedAt,
        String updatedBy) {
}
