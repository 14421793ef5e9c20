package dev.docsync.projection.documents;

import dev.docsync.contracts.DocumentView;
import dev.docsync.projection.Rows;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * A workspace's current, not deleted documents with their bodies, by document id (keyset), for a client to
 * bootstrap from. A page stops where the states' running size passes the byte budget (the first document
 * always comes, whatever its size); sizes come from octet_length, which does not fetch a TOASTed body, so
 * only the bodies that are sent are read.
 */
@Repository
public class SnapshotReader {

    /** Documents after {@code afterDocumentId}; {@code more} when the workspace has further live documents. */
    public record Page(List<DocumentView> documents, boolean more) {
    }

    private static final String PAGE = """
            with page as (
                select d.document_id, d.version, d.title, d.content_digest, d.yjs_digest, d.created_at,
                       d.updated_at, d.updated_by,
                       octet_length(d.title) + octet_length(c.body) + coalesce(octet_length(y.body), 0) as state_bytes
                  from (select * from documents
                         where workspace_id = :workspace and document_id > :after and not deleted
                         order by document_id
                         limit :fetch) d
                  join document_bodies c on c.workspace_id = :workspace and c.digest = d.content_digest
                  left join document_bodies y on y.workspace_id = :workspace and y.digest = d.yjs_digest),
            sized as (
                select p.*, row_number() over w as n, count(*) over () as fetched, sum(p.state_bytes) over w as running
                  from page p
                window w as (order by p.document_id))
            select s.document_id, s.version, s.title, c.body as content, y.body as yjs_state_b64, false as deleted,
                   s.created_at, s.updated_at, s.updated_by, s.fetched, :workspace as workspace_id
              from sized s
              join document_bodies c on c.workspace_id = :workspace and c.digest = s.content_digest
              left join document_bodies y on y.workspace_id = :workspace and y.digest = s.yjs_digest
             where s.n <= :limit and (s.n = 1 or s.running <= :page_bytes)
             order by s.n""";

    private final JdbcClient jdbc;

    public SnapshotReader(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Page page(String workspaceId, String afterDocumentId, int limit, long pageBytes) {
        List<DocumentView> documents = new ArrayList<>();
        long[] fetched = {0};
        jdbc.sql(PAGE)
                .param("workspace", workspaceId)
                .param("after", afterDocumentId)
                .param("fetch", limit + 1)
                .param("limit", limit)
                .param("page_bytes", pageBytes)
                .query(rs -> {
                    documents.add(Rows.document(rs));
                    fetched[0] = rs.getLong("fetched");
                });
        return new Page(documents, fetched[0] > documents.size());
    }
}
