package dev.docsync.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;

/**
 * One applied change of a workspace, as the change feed lists it (apply order). {@code document} is the document
 * as this change left it, present only where asked for ({@code include=state}, the stream's small states).
 */
public record ChangeItem(String documentId, long version, OperationType operation, UUID batchId, String actor,
        Instant stampedAt, @JsonInclude(JsonInclude.Include.NON_NULL) DocumentView document) {

    public ChangeItem(String documentId, long version, OperationType operation, UUID batchId, String actor,
            Instant stampedAt) {
        this(documentId, version, operation, batchId, actor, stampedAt, null);
    }
}
