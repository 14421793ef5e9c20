package dev.docsync.projection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.StatementCreatorUtils;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.support.SQLExceptionSubclassTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;

/**
 * What {@code JdbcClient} cannot send, on the connection of the caller's transaction (as JdbcClient itself gets it):
 * one statement's several result sets (JdbcClient reads with {@code executeQuery}, which the PostgreSQL driver
 * refuses for more than one), {@code COPY}, a JDBC batch. Parameters are set as JdbcClient sets its positional ones
 * ({@link StatementCreatorUtils}, arrays as {@code SqlArrayValue}), and an {@link SQLException} becomes the
 * {@link DataAccessException} JdbcClient would throw, so callers see failures alike whichever way a statement went.
 */
public final class TransactionConnection {

    /** Work on the connection; it must not close it. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Work on a statement whose parameters are set. */
    @FunctionalInterface
    public interface StatementWork<T> {
        T run(PreparedStatement statement) throws SQLException;
    }

    private TransactionConnection() {
    }

    /** Runs {@code work} on the transaction's connection ({@code sql}, if any, only names the work in failures). */
    public static <T> T run(DataSource dataSource, String sql, Work<T> work) {
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw translate(sql, e);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    /** Prepares {@code sql} on the transaction's connection, sets {@code parameters} in order, and runs {@code work}. */
    public static <T> T prepared(DataSource dataSource, String sql, List<?> parameters, StatementWork<T> work) {
        return run(dataSource, sql, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                DataSourceUtils.applyTransactionTimeout(statement, dataSource);
                for (int i = 0; i < parameters.size(); i++) {
                    StatementCreatorUtils.setParameterValue(statement, i + 1, SqlTypeValue.TYPE_UNKNOWN,
                            parameters.get(i));
                }
                return work.run(statement);
            } finally {
                StatementCreatorUtils.cleanupParameters(parameters);
            }
        });
    }

    /**
     * The translator JdbcTemplate (under JdbcClient) takes when the application brings no {@code sql-error-codes.xml}
     * of its own (this one brings none).
     */
    private static final SQLExceptionTranslator TRANSLATOR = new SQLExceptionSubclassTranslator();

    private static DataAccessException translate(String sql, SQLException e) {
        DataAccessException translated = TRANSLATOR.translate("TransactionConnection", sql, e);
        return translated != null ? translated : new UncategorizedSQLException("TransactionConnection", sql, e);
    }
}
