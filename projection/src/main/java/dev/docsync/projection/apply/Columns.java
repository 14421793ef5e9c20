package dev.docsync.projection.apply;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.springframework.jdbc.support.SqlArrayValue;

/**
 * The parameters of a statement that reads its rows from arrays ({@code unnest(?::text[], ...)}): one array per
 * column ({@link SqlArrayValue}), in the order of the placeholders. Times go as ISO-8601 text cast to {@code timestamptz}, which
 * PostgreSQL reads exactly (to the microsecond) whatever the session's time zone.
 */
final class Columns {

    /** Positional parameters: an {@link SqlArrayValue} per column, or one value. */
    private final List<Object> values = new ArrayList<>();

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
        values.add(value.toString());
        return this;
    }

    private <R> Columns add(String type, Collection<R> rows, Function<R, ?> value) {
        values.add(new SqlArrayValue(type, rows.stream().map(value).toArray()));
        return this;
    }

    /** The parameters, from the first placeholder on. */
    List<Object> values() {
        return values;
    }
}
