package dev.docsync.projection.batches;

import dev.docsync.projection.Rows;
import java.time.Instant;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The only table ingest writes: a note that a batch was acknowledged but may not be applied yet, so that
 * {@code GET /api/v1/batches/{id}} answers {@code pending} (and checks the workspace) on every instance.
 */
@Repository
public class BatchReceipts {

    private static final String INSERT = """
            insert into batch_receipts (batch_id, workspace_id, actor, stamped_at, operation_count)
            values (:id, :workspace, :actor, :stamped, :count)
            on conflict (batch_id) do nothing""";

    private final JdbcClient jdbc;

    public BatchReceipts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void record(UUID batchId, String workspaceId, String actor, Instant stampedAt, int operationCount) {
        jdbc.sql(INSERT)
                .param("id", batchId)
                .param("workspace", workspaceId)
                .param("actor", actor)
                .param("stamped", Rows.timestamp(stampedAt))
                .param("count", operationCount)
                .update();
    }
}
