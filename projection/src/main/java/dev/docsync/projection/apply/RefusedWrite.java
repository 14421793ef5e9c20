package dev.docsync.projection.apply;

import dev.docsync.contracts.StorableText;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A write PostgreSQL refused for a reason that lies in the data, so every retry would fail the same way:
 * SQLSTATE class 22 (data exception, e.g. U+0000 in text), 23 (integrity constraint violation) or 54
 * (program limit exceeded, e.g. a jsonb value over 256 MiB). Connection loss (08), serialization failures
 * and deadlocks (40), shutdowns (57), resource shortages (53) and everything else stay transient.
 */
public record RefusedWrite(String sqlState, String reason) {

    private static final int MAX_REASON_LENGTH = 300;

    public static Optional<RefusedWrite> of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("22") || state.startsWith("23") || state.startsWith("54")) {
                    return Optional.of(new RefusedWrite(state, reason(sql)));
                }
                return Optional.empty();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Optional.empty();
    }

    /** The database's message, storable and short (it may quote the refused value). */
    private static String reason(SQLException sql) {
        // A batched statement's own message only names the statement; the server's words are the next exception's.
        // Only the first line: PostgreSQL's detail lines may name physical places ("tuple (3,3)") that differ
        // between the live projection and a replay, and the reason must be a function of the log.
        SQLException server = sql.getNextException() != null ? sql.getNextException() : sql;
        String message = String.valueOf(server.getMessage()).lines().findFirst().orElse("").strip();
        return StorableText.abbreviate(message, MAX_REASON_LENGTH);
    }
}
