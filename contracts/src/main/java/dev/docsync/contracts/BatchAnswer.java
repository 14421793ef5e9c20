package dev.docsync.contracts;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.util.List;
import java.util.UUID;
import tools.jackson.core.type.TypeReference;

/**
 * A {@link BatchResult} as the projection stores it and the API writes it: the per-operation results stay the
 * JSON text they are stored as and go into the response as they are. Answering a waiting caller used to parse
 * them into objects only to write them out again (4 % of the stack's CPU and its third-largest allocation site
 * in the bench's profile). Same document as {@link BatchResult}, field for field; the names of a result's fields
 * come in PostgreSQL's {@code jsonb} order, which JSON leaves free.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BatchAnswer(UUID batchId, String workspaceId, BatchStatus status, Boolean atomic, Integer total,
        Integer successful, Integer failed, @JsonRawValue String results, Long processingTimeMs, String changeCursor) {

    private static final TypeReference<List<OperationResult>> RESULTS = new TypeReference<>() {
    };

    public static BatchAnswer pending(UUID batchId, String workspaceId) {
        return new BatchAnswer(batchId, workspaceId, BatchStatus.PENDING, null, null, null, null, null, null, null);
    }

    /** @param results the stored JSON array of the batch's {@link OperationResult}s */
    public static BatchAnswer completed(UUID batchId, String workspaceId, boolean atomic, int total, int successful,
            String results) {
        return new BatchAnswer(batchId, workspaceId, BatchStatus.COMPLETED, atomic, total, successful,
                total - successful, results, null, null);
    }

    public BatchAnswer withProcessingTimeMs(long millis) {
        return new BatchAnswer(batchId, workspaceId, status, atomic, total, successful, failed, results, millis,
                changeCursor);
    }

    /** @param cursor the change-feed position that includes this batch's changes (read-your-writes) */
    public BatchAnswer withChangeCursor(String cursor) {
        return new BatchAnswer(batchId, workspaceId, status, atomic, total, successful, failed, results,
                processingTimeMs, cursor);
    }

    /** The same answer with other results JSON (e.g. with the states its stored results refer to read in). */
    public BatchAnswer withResults(String results) {
        return new BatchAnswer(batchId, workspaceId, status, atomic, total, successful, failed, results,
                processingTimeMs, changeCursor);
    }

    /** The results as values, for a caller that looks inside (a single-document write); empty while pending. */
    @JsonIgnore
    public List<OperationResult> operationResults() {
        return results == null ? List.of() : DocsyncJson.mapper().readValue(results, RESULTS);
    }
}
