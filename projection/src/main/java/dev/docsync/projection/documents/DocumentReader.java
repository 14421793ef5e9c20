package dev.docsync.projection.documents;

import dev.docsync.contracts.DocumentView;
import dev.docsync.projection.Rows;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Read side of documents: current state, and the state at a version. */
@Repository
public class DocumentReader {

    private static final String FIND = """
            select %s
              from documents
             where workspace_id = :workspace and document_id = :document""".formatted(Rows.DOCUMENT_COLUMNS);

    /** A version's state from history; created_at is when version 1 was stamped. */
    private static final String FIND_VERSION = """
            select v.workspace_id, v.document_id, v.version, v.title, v.content, v.yjs_state_b64, v.deleted,
                   c.stamped_at as created_at, v.stamped_at as updated_at, v.actor as updated_by
              from document_versions v
              join document_versions c
                on c.workspace_id = v.workspace_id and c.document_id = v.document_id and c.version = 1
             where v.workspace_id = :workspace and v.document_id = :document and v.version = :version""";

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
