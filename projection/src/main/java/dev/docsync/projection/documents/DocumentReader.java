package dev.docsync.projection.documents;

import dev.docsync.contracts.DocumentView;
import dev.docsync.projection.Rows;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Read side of documents: current state. */
@Repository
public class DocumentReader {

    private static final String FIND = """
            select %s
              from documents
             where workspace_id = :workspace and document_id = :document""".formatted(Rows.DOCUMENT_COLUMNS);

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
}
