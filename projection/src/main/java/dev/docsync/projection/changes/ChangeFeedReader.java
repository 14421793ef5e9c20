package dev.docsync.projection.changes;

import dev.docsync.contracts.ChangeItem;
import dev.docsync.contracts.DocumentView;
import dev.docsync.contracts.OperationType;
import dev.docsync.projection.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
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

    /** Changes with states; {@code full} when the page was cut by its limit or its bytes, so more may follow. */
    public record StatePage(List<Entry> entries, boolean full) {
    }

    /**
     * How much state a page may carry: at most {@code pageBytes} of states in all (the first change always
     * comes, whatever its size), and only states of at most {@code documentBytes} each; a larger one's change
     * comes without its document. Bytes are those of the title, content and Yjs state as stored (UTF-8).
     */
    public record StateBudget(long pageBytes, long documentBytes) {
    }

    private static final String AFTER = """
            select document_id, version, operation, batch_id, actor, stamped_at,
                   log_partition, log_offset, apply_index
              from document_versions
             where workspace_id = :workspace
               and (log_partition, log_offset, apply_index) > (:partition, :offset, :index)
             order by log_partition, log_offset, apply_index
             limit :limit""";

    /**
     * As AFTER, with each change's state, cut where the states' running size passes the page budget. Sizes come
     * from octet_length, which reads a TOASTed body's stored length without fetching it, so only the bodies
     * that are sent are read.
     */
    private static final String AFTER_WITH_STATES = """
            with page as (
                select v.document_id, v.version, v.operation, v.batch_id, v.actor, v.stamped_at, v.title, v.deleted,
                       v.content_digest, v.yjs_digest, v.log_partition, v.log_offset, v.apply_index,
                       octet_length(v.title) + octet_length(c.body) + coalesce(octet_length(y.body), 0) as state_bytes
                  from (select * from document_versions
                         where workspace_id = :workspace
                           and (log_partition, log_offset, apply_index) > (:partition, :offset, :index)
                         order by log_partition, log_offset, apply_index
                         limit :limit) v
                  join document_bodies c on c.workspace_id = :workspace and c.digest = v.content_digest
                  left join document_bodies y on y.workspace_id = :workspace and y.digest = v.yjs_digest),
            sized as (
                select p.*, p.state_bytes <= :document_bytes as with_state,
                       row_number() over w as n, count(*) over () as fetched,
                       sum(case when p.state_bytes <= :document_bytes then p.state_bytes else 0 end) over w as running
                  from page p
                window w as (order by p.log_partition, p.log_offset, p.apply_index))
            select s.document_id, s.version, s.operation, s.batch_id, s.actor, s.stamped_at, s.title, s.deleted,
                   s.log_partition, s.log_offset, s.apply_index, s.with_state, s.fetched,
                   case when s.with_state then c.body end as content,
                   case when s.with_state then y.body end as yjs_state_b64,
                   f.stamped_at as created_at
              from sized s
              join document_bodies c on c.workspace_id = :workspace and c.digest = s.content_digest
              left join document_bodies y on y.workspace_id = :workspace and y.digest = s.yjs_digest
              left join document_versions f
                on f.workspace_id = :workspace and f.document_id = s.document_id and f.version = 1
             where s.n = 1 or s.running <= :page_bytes
             order by s.n""";

    private static final String LATEST = """
            select log_partition, log_offset, apply_index
              from document_versions
             where workspace_id = :workspace
             order by log_partition desc, log_offset desc, apply_index desc
             limit 1""";

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
                .query((rs, n) -> new Entry(change(rs, null), position(rs)))
                .list();
    }

    /** As {@link #after}, each change with the document as it left it, within {@code budget}. */
    public StatePage afterWithStates(String workspaceId, FeedPosition position, int limit, StateBudget budget) {
        List<Entry> entries = new ArrayList<>();
        long[] fetched = {0};
        jdbc.sql(AFTER_WITH_STATES)
                .param("workspace", workspaceId)
                .param("partition", position.partition())
                .param("offset", position.offset())
                .param("index", position.applyIndex())
                .param("limit", limit)
                .param("document_bytes", budget.documentBytes())
                .param("page_bytes", budget.pageBytes())
                .query(rs -> {
                    entries.add(new Entry(change(rs, rs.getBoolean("with_state") ? state(rs, workspaceId) : null),
                            position(rs)));
                    fetched[0] = rs.getLong("fetched");
                });
        return new StatePage(entries, entries.size() == limit || fetched[0] > entries.size());
    }

    /** Where the feed stands now: resuming after it gives only changes applied from now on. */
    public FeedPosition latest(String workspaceId) {
        return jdbc.sql(LATEST).param("workspace", workspaceId).query((rs, n) -> position(rs)).optional()
                .orElse(FeedPosition.START);
    }

    private static ChangeItem change(ResultSet rs, DocumentView document) throws SQLException {
        return new ChangeItem(rs.getString("document_id"), rs.getLong("version"),
                OperationType.fromWire(rs.getString("operation")).orElseThrow(), rs.getObject("batch_id", UUID.class),
                rs.getString("actor"), Rows.instant(rs, "stamped_at"), document);
    }

    private static DocumentView state(ResultSet rs, String workspaceId) throws SQLException {
        return new DocumentView(rs.getString("document_id"), workspaceId, rs.getLong("version"), rs.getString("title"),
                rs.getString("content"), rs.getString("yjs_state_b64"), rs.getBoolean("deleted"),
                Rows.instant(rs, "created_at"), Rows.instant(rs, "stamped_at"), rs.getString("actor"));
    }

    private static FeedPosition position(ResultSet rs) throws SQLException {
        return new FeedPosition(rs.getInt("log_partition"), rs.getLong("log_offset"), rs.getInt("apply_index"));
    }
}
