package dev.docsync.projection.documents;

import dev.docsync.contracts.DocumentView;
import dev.docsync.projection.Rows;
import dev.docsync.contracts.DocumentSummary;
import dev.docsync.contracts.HistoryItem;
import dev.docsync.contracts.MergeInfo;
import dev.docsync.contracts.OperationType;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Read side of documents: current state, the state at a version, history, and the list. */
@Repository
public class DocumentReader {

    private static final String FIND = """
            select %s
             where d.workspace_id = :workspace and d.document_id = :document""".formatted(Rows.DOCUMENTS);

    /** A version's state from history; created_at is when version 1 was stamped. */
    private static final String FIND_VERSION = """
            select v.workspace_id, v.document_id, v.version, v.title, b.body as content, y.body as yjs_state_b64,
                   v.deleted, c.stamped_at as created_at, v.stamped_at as updated_at, v.actor as updated_by
              from document_versions v
              join document_versions c
                on c.workspace_id = v.workspace_id and c.document_id = v.document_id and c.version = 1
              join document_bodies b on b.workspace_id = v.workspace_id and b.digest = v.content_digest
              left join document_bodies y on y.workspace_id = v.workspace_id and y.digest = v.yjs_digest
             where v.workspace_id = :workspace and v.document_id = :document and v.version = :version""";

    /** Bytes of a document's state, without reading its bodies (the lengths of TOASTed text are in their headers). */
    private static final String SIZE = """
            select octet_length(d.title) + octet_length(c.body) + coalesce(octet_length(y.body), 0)
              from documents d
              join document_bodies c on c.workspace_id = d.workspace_id and c.digest = d.content_digest
              left join document_bodies y on y.workspace_id = d.workspace_id and y.digest = d.yjs_digest
             where d.workspace_id = :workspace and d.document_id = :document""";

    private static final String SIZE_VERSION = """
            select octet_length(v.title) + octet_length(b.body) + coalesce(octet_length(y.body), 0)
              from document_versions v
              join document_bodies b on b.workspace_id = v.workspace_id and b.digest = v.content_digest
              left join document_bodies y on y.workspace_id = v.workspace_id and y.digest = v.yjs_digest
             where v.workspace_id = :workspace and v.document_id = :document and v.version = :version""";

    private static final String HISTORY = """
            select version, operation, actor, batch_id, client_id, stamped_at, merged_from, merge_algorithm
              from document_versions
             where workspace_id = :workspace and document_id = :document and version > :after
             order by version
             limit :limit""";

    private static final String LIST = """
            select document_id, version, title, deleted, updated_at, updated_by
              from documents
             where workspace_id = :workspace and document_id > :after and (:deleted or not deleted)
             order by document_id
             limit :limit""";

    private final JdbcClient jdbc;

    public DocumentReader(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<DocumentView> find(String workspaceId, String documentId) {
        return jdbc.sql(FIND)
                .param("workspace", workspaceId)
                .param("document", documentId)
                .query((rs, n) -> Rows.document(rs))
                .optional();
    }

    /**
     * The bytes of title, content and Yjs state of the current state ({@code version} empty) or of a version, as
     * stored; empty when there is no such document or version. Cheap: no body is read.
     */
    public Optional<Long> size(String workspaceId, String documentId, Optional<Long> version) {
        var query = jdbc.sql(version.isPresent() ? SIZE_VERSION : SIZE)
                .param("workspace", workspaceId)
                .param("document", documentId);
        if (version.isPresent()) {
            query = query.param("version", version.get());
        }
        return query.query(Long.class).optional();
    }

    /** Versions after {@code afterVersion}, ascending, at most {@code limit}. */
    public List<HistoryItem> history(String workspaceId, String documentId, long afterVersion, int limit) {
        return jdbc.sql(HISTORY)
                .param("workspace", workspaceId)
                .param("document", documentId)
                .param("after", afterVersion)
                .param("limit", limit)
                .query((rs, n) -> new HistoryItem(rs.getLong("version"),
                        OperationType.fromWire(rs.getString("operation")).orElseThrow(), rs.getString("actor"),
                        rs.getObject("batch_id", UUID.class), rs.getString("client_id"), Rows.instant(rs, "stamped_at"),
                        merge(rs.getObject("merged_from", Long.class), rs.getString("merge_algorithm"))))
                .list();
    }

    /** How a version merged, for the versions a three-way merge made (null for every other one). */
    private static MergeInfo merge(Long mergedFrom, String algorithm) {
        return mergedFrom == null ? null : MergeInfo.merged(algorithm, mergedFrom);
    }

    /** Documents with ids after {@code afterDocumentId} (keyset paging), ordered by id. */
    public List<DocumentSummary> list(String workspaceId, String afterDocumentId, int limit, boolean includeDeleted) {
        return jdbc.sql(LIST)
                .param("workspace", workspaceId)
                .param("after", afterDocumentId)
                .param("deleted", includeDeleted)
                .param("limit", limit)
                .query((rs, n) -> new DocumentSummary(rs.getString("document_id"), rs.getLong("version"),
                        rs.getString("title"), rs.getBoolean("deleted"), Rows.instant(rs, "updated_at"),
                        rs.getString("updated_by")))
                .list();
    }

    /** The document as it was at {@code version}, from its history. */
    public Optional<DocumentView> findVersion(String workspaceId, String documentId, long version) {
        return jdbc.sql(FIND_VERSION)
                .param("workspace", workspaceId)
                .param("document", documentId)
                .param("version", version)
                .query((rs, n) -> Rows.document(rs))
                .optional();
    }
}
