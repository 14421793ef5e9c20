package dev.docsync.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;

/**
 * One version of a document: who made it, in which batch and operation, when. {@code merge} says how an update
 * was merged three-way (the algorithm and the {@code base_version} it merged from); absent for every other version.
 */
public record HistoryItem(long version, OperationType operation, String actor, UUID batchId, String clientId,
        Instant stampedAt, @JsonInclude(JsonInclude.Include.NON_NULL) MergeInfo merge) {

    public HistoryItem(long version, OperationType operation, String actor, UUID batchId, String clientId,
            Instant stampedAt) {
        this(version, operation, actor, batchId, clientId, stampedAt, null);
    }
}
