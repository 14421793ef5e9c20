package dev.docsync.contracts;

import java.time.Instant;
import java.util.UUID;

/** One version of a document: who made it, in which batch and operation, when. */
public record HistoryItem(long version, OperationType operation, String actor, UUID batchId, String clientId,
        Instant stampedAt) {
}
