package dev.docsync.projection.changes;

import dev.docsync.contracts.ChangeItem;
import dev.docsync.contracts.OperationType;
import dev.docsync.projection.Rows;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The change feed: a workspace's history rows in apply order. One worker thread applies a partition's
 * batches one transaction after another, so rows become visible in position order and a reader resuming
 * after a position never misses one that commits later.
 */
@Repository
public class ChangeFeedReader {

    /** A change and where it sits, to resume after it. */
    public record Entry(ChangeItem change, FeedPosition position) {
    }

    private static final String AFTER = """
            select document_id, version, operation, batch_id, actor, stamped_at,
                   log_partition, log_offset, apply_index
              from document_versions
             where workspace_id = :workspace
               and (log_partition, log_offset, apply_index) > (:partition, :offset, :index)
             order by log_partition, log_offset, apply_index
             limit :limit""";

    private final JdbcClient jdbc;

    public ChangeFeedReader(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public List<Entry> after(String workspaceId, FeedPosition position, int limit) {
        return jdbc.sql(AFTER)
                .param("workspace", workspaceId)
                .param("partition", position.partition())
                .param("offset", position.offset())
                .param("index", position.applyIndex())
                .param("limit", limit)
                .query((rs, n) -> new Entry(
                        new ChangeItem(rs.getString("document_id"), rs.getLong("version"),
                                OperationType.fromWire(rs.getString("operation")).orElseThrow(),
                                rs.getObject("batch_id", UUID.class), rs.getString("actor"),
                                Rows.instant(rs, "stamped_at")),
                        new FeedPosition(rs.getInt("log_partition"), rs.getLong("log_offset"),
                                rs.getInt("apply_index"))))
                .list();
    }
}
