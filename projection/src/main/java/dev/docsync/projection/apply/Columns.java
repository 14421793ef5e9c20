package dev.docsync.projection.apply;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * The parameters of a statement that reads its rows from arrays ({@code unnest(?::text[], ...)}): one array per
 * column, in the order of the placeholders. Times go as ISO-8601 text cast to {@code timestamptz}, which
 * PostgreSQL reads exactly (to the microsecond) whatever the session's time zone.
 */
final class Columns {

    /** An array of {@code type}, or one value when {@code type} is null. */
    private record Column(String type, Object[] values) {
    }

    private final List<Column> columns = new ArrayList<>();

    <R> Columns text(Collection<R> rows, Function<R, String> value) {
        return add("text", rows, value);
    }

    <R> Columns int4(Collection<R> rows, Function<R, Integer> value) {
        return add("int4", rows, value);
    }

    <R> Columns int8(Collection<R> rows, Function<R, Long> value) {
        return add("int8", rows, value);
    }

    <R> Columns bool(Collection<R> rows, Function<R, Boolean> value) {
        return add("bool", rows, value);
    }

    <R> Columns uuid(Collection<R> rows, Function<R, UUID> value) {
        return add("uuid", rows, value);
    }

    <R> Columns time(Collection<R> rows, Function<R, Instant> value) {
        return add("text", rows, value.andThen(t -> t == null ? null : t.toString()));
    }

    /** One time, not an array: {@code ?::timestamptz}. */
    Columns time(Instant value) {
        columns.add(new Column(null, new Object[] {value.toString()}));
        return this;
    }

    private <R> Columns add(String type, Collection<R> rows, Function<R, ?> value) {
        columns.add(new Column(type, rows.stream().map(value).toArray()));
        return this;
    }

    /** Sets every column as an array parameter, from the first placeholder on. */
    void set(PreparedStatement statement) throws SQLException {
        for (int i = 0; i < columns.size(); i++) {
            Column column = columns.get(i);
            if (column.type() == null) {
                statement.setString(i + 1, (String) column.values()[0]);
            } else {
                statement.setArray(i + 1, statement.getConnection().createArrayOf(column.type(), column.values()));
            }
        }
    }
}
