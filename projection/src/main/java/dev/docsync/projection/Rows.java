package dev.docsync.projection;

import dev.docsync.contracts.DocumentView;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/** Row mapping shared by the readers and the writer, so a document is read the same way everywhere. */
public final class Rows {

    /**
     * Current documents with their bodies, as columns matching {@link #document(ResultSet)}: {@code select
     * DOCUMENTS where ...} (alias {@code d}). Content and Yjs state live in {@code document_bodies}.
     */
    public static final String DOCUMENTS = """
            d.workspace_id, d.document_id, d.version, d.title, c.body as content, y.body as yjs_state_b64,
                   d.deleted, d.created_at, d.updated_at, d.updated_by
              from documents d
              join document_bodies c on c.workspace_id = d.workspace_id and c.digest = d.content_digest
              left join document_bodies y on y.workspace_id = d.workspace_id and y.digest = d.yjs_digest""";

    private Rows() {
    }

    public static DocumentView document(ResultSet rs) throws SQLException {
        return new DocumentView(rs.getString("document_id"), rs.getString("workspace_id"), rs.getLong("version"),
                rs.getString("title"), rs.getString("content"), rs.getString("yjs_state_b64"),
                rs.getBoolean("deleted"), instant(rs, "created_at"), instant(rs, "updated_at"),
                rs.getString("updated_by"));
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }

    public static Timestamp timestamp(Instant instant) {
        return Timestamp.from(instant);
    }
}
