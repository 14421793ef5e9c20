package dev.docsync.projection.batches;

import dev.docsync.contracts.BatchAnswer;
import dev.docsync.projection.Rows;
import dev.docsync.projection.changes.FeedPosition;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Read side of batches: the applied result if there is one, else the receipt of a pending batch. */
@Repository
public class BatchReader {

    /** A retry recognised by its Idempotency-Key answers as the batch it repeats: one query follows the link. */
    private static final String FIND_RESULT = """
            select b.batch_id, b.workspace_id, b.actor, b.atomic, b.total, b.successful, b.results::text as results,
                   b.stamped_at, b.applied_at, b.log_partition, b.log_offset,
                   (select max(v.apply_index) from document_versions v
                     where v.workspace_id = b.workspace_id and v.log_partition = b.log_partition
                       and v.log_offset = b.log_offset) as last_apply_index
              from batch_results r
              join batch_results b on b.batch_id = coalesce(r.duplicate_of, r.batch_id)
             where r.batch_id = :id""";

    private static final String FIND_RECEIPT = """
            select workspace_id, actor, stamped_at from batch_receipts where batch_id = :id""";

    private final JdbcClient jdbc;
    private final ReportedStates states;

    public BatchReader(JdbcClient jdbc) {
        this.jdbc = jdbc;
        this.states = new ReportedStates(jdbc);
    }

    /**
     * The applied batch, or empty when it has not been applied yet. A batch recognised as a retry (same
     * Idempotency-Key and request) answers as the batch it repeats, with that one's id and results. The results
     * stay the stored JSON text unless they refer to document states, which are read into them here.
     */
    public Optional<StoredBatch> findApplied(UUID batchId) {
        return jdbc.sql(FIND_RESULT).param("id", batchId).query((rs, n) -> {
            UUID id = rs.getObject("batch_id", UUID.class);
            String workspace = rs.getString("workspace_id");
            var stampedAt = Rows.instant(rs, "stamped_at");
            var appliedAt = Rows.instant(rs, "applied_at");
            BatchAnswer answer = BatchAnswer.completed(id, workspace, rs.getBoolean("atomic"), rs.getInt("total"),
                    rs.getInt("successful"), rs.getString("results"))
                    .withProcessingTimeMs(Duration.between(stampedAt, appliedAt).toMillis())
                    .withChangeCursor(changePosition(rs).cursor());
            return new StoredBatch(workspace, rs.getString("actor"), answer, stampedAt, appliedAt);
        }).optional().map(this::withStates);
    }

    /** Read after the row, so that one answer never holds two connections at once. */
    private StoredBatch withStates(StoredBatch stored) {
        BatchAnswer answer = stored.answer();
        String results = states.materialise(stored.workspaceId(), answer.results());
        if (results.equals(answer.results())) {
            return stored;
        }
        return new StoredBatch(stored.workspaceId(), stored.actor(), answer.withResults(results), stored.stampedAt(),
                stored.appliedAt());
    }

    /**
     * The feed position that includes the batch's changes: its last change's, which is the cursor the feed gives
     * right after it. A batch that changed nothing gets the position just before where its changes would have
     * been (index -1): every change before it is included, none after.
     */
    private static FeedPosition changePosition(ResultSet rs) throws SQLException {
        int last = rs.getInt("last_apply_index");
        return new FeedPosition(rs.getInt("log_partition"), rs.getLong("log_offset"), rs.wasNull() ? -1 : last);
    }

    /** The applied batch, else the pending one ingest acknowledged, else empty (unknown). */
    public Optional<StoredBatch> find(UUID batchId) {
        return findApplied(batchId).or(() -> jdbc.sql(FIND_RECEIPT).param("id", batchId)
                .query((rs, n) -> new StoredBatch(rs.getString("workspace_id"), rs.getString("actor"),
                        BatchAnswer.pending(batchId, rs.getString("workspace_id")), Rows.instant(rs, "stamped_at"),
                        null))
                .optional());
    }
}
