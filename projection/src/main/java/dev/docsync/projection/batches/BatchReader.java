package dev.docsync.projection.batches;

import dev.docsync.contracts.BatchResult;
import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.OperationResult;
import dev.docsync.projection.Rows;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

/** Read side of batches: the applied result if there is one, else the receipt of a pending batch. */
@Repository
public class BatchReader {

    private static final String FIND_RESULT = """
            select workspace_id, actor, atomic, results::text as results, stamped_at, applied_at, duplicate_of
              from batch_results where batch_id = :id""";

    private static final String FIND_RECEIPT = """
            select workspace_id, actor, stamped_at from batch_receipts where batch_id = :id""";

    private static final TypeReference<List<OperationResult>> RESULTS = new TypeReference<>() {
    };

    private final JdbcClient jdbc;

    public BatchReader(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The applied batch, or empty when it has not been applied yet. A batch recognised as a retry (same
     * Idempotency-Key and request) answers as the batch it repeats, with that one's id and results.
     */
    public Optional<StoredBatch> findApplied(UUID batchId) {
        Optional<UUID> original = jdbc.sql("select duplicate_of from batch_results where batch_id = :id")
                .param("id", batchId).query((rs, n) -> Optional.ofNullable(rs.getObject(1, UUID.class)))
                .optional().flatMap(o -> o);
        return original.isPresent() ? findOwnResult(original.get()) : findOwnResult(batchId);
    }

    private Optional<StoredBatch> findOwnResult(UUID batchId) {
        return jdbc.sql(FIND_RESULT).param("id", batchId).query((rs, n) -> {
            String workspace = rs.getString("workspace_id");
            List<OperationResult> results = DocsyncJson.mapper().readValue(rs.getString("results"), RESULTS);
            var stampedAt = Rows.instant(rs, "stamped_at");
            var appliedAt = Rows.instant(rs, "applied_at");
            BatchResult result = BatchResult.completed(batchId, workspace, rs.getBoolean("atomic"), results)
                    .withProcessingTimeMs(Duration.between(stampedAt, appliedAt).toMillis());
            return new StoredBatch(workspace, rs.getString("actor"), result, stampedAt, appliedAt);
        }).optional();
    }

    /** The applied batch, else the pending one ingest acknowledged, else empty (unknown). */
    public Optional<StoredBatch> find(UUID batchId) {
        return findApplied(batchId).or(() -> jdbc.sql(FIND_RECEIPT).param("id", batchId)
                .query((rs, n) -> new StoredBatch(rs.getString("workspace_id"), rs.getString("actor"),
                        BatchResult.pending(batchId, rs.getString("workspace_id")), Rows.instant(rs, "stamped_at"),
                        null))
                .optional());
    }
}
