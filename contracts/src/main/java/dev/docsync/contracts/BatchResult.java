package dev.docsync.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.UUID;

/**
 * The answer for a batch: {@code completed} with every operation's result, or {@code pending} with only the
 * identifying fields. {@code processingTimeMs} is measured, not part of the applied state.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BatchResult(UUID batchId, String workspaceId, BatchStatus status, Boolean atomic, Integer total,
        Integer successful, Integer failed, List<OperationResult> results, Long processingTimeMs) {

    public static BatchResult pending(UUID batchId, String workspaceId) {
        return new BatchResult(batchId, workspaceId, BatchStatus.PENDING, null, null, null, null, null, null);
    }

    public static BatchResult completed(UUID batchId, String workspaceId, boolean atomic, List<OperationResult> results) {
        int successful = (int) results.stream().filter(r -> r.status().successful()).count();
        return new BatchResult(batchId, workspaceId, BatchStatus.COMPLETED, atomic, results.size(), successful,
                results.size() - successful, List.copyOf(results), null);
    }

    public BatchResult withProcessingTimeMs(long millis) {
        return new BatchResult(batchId, workspaceId, status, atomic, total, successful, failed, results, millis);
    }
}
