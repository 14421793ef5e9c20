package dev.docsync.projection;

import dev.docsync.contracts.DocumentView;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/** Row mapping shared by the readers and the writer, so a document is read the same way everywhere. */
public final class Rows {

    /** Column list matching {@link #document(ResultSet)}. */
    public static final String DOCUMENT_COLUMNS = """
            workspace_id, document_id, version, title, content, yjs_state_b64, deleted,
            created_at, updated_at, updated_by""";

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
