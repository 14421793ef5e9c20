package dev.docsync.contracts;

import java.time.Instant;
import java.util.UUID;

/** One applied change of a workspace, as the change feed lists it (apply order). */
public record ChangeItem(String documentId, long version, OperationType operation, UUID batchId, String actor,
        Instant stampedAt) {
}
