package dev.docsync.projection.replay;

import java.util.List;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The secondary indexes of a replay's schema, dropped before the bulk load and built again after it: an index
 * built once over the loaded rows costs a fraction of keeping it up to date row by row. Only indexes that enforce
 * nothing are deferred (no primary key, unique index or constraint: the apply relies on those to find rows and to
 * refuse duplicates), and each is built again from its own definition, so the rebuilt schema ends with exactly the
 * indexes it was created with (live's, every migration's).
 */
public final class SecondaryIndexes {

    /** Non-unique indexes that back no constraint, with the definition that builds each again. */
    private static final String DEFERRABLE = """
            select c.relname as name, pg_get_indexdef(c.oid) as definition
              from pg_index x
              join pg_class c on c.oid = x.indexrelid
              join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = ? and not x.indisunique and not x.indisprimary and not x.indisexclusion
               and not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid)
             order by c.relname""";

    private static final String DROP = "drop index %s.%s";

    /** Every index of a schema, named, its definition without the schema's name: equal for equal schemas. */
    private static final String DEFINITIONS = """
            select c.relname || ': ' || replace(pg_get_indexdef(c.oid), n.nspname || '.', '')
              from pg_index x
              join pg_class c on c.oid = x.indexrelid
              join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = ?
             order by c.relname""";

    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** An index dropped for the load, and the statement that builds it again. */
    public record Deferred(String schema, String name, String definition) {
    }

    private final JdbcClient jdbc;

    SecondaryIndexes(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Drops the deferrable indexes of {@code schema} (a replay's, still empty); returns them to {@link #build}. */
    public List<Deferred> drop(String schema) {
        List<Deferred> deferred = jdbc.sql(DEFERRABLE).param(schema)
                .query((rs, n) -> new Deferred(schema, rs.getString("name"), rs.getString("definition"))).list();
        for (Deferred index : deferred) {
            jdbc.sql(DROP.formatted(checked(index.schema()), checked(index.name()))).update();
        }
        return deferred;
    }

    /** Builds {@code deferred} again, each from its own definition (schema-qualified by PostgreSQL). */
    public void build(List<Deferred> deferred) {
        for (Deferred index : deferred) {
            jdbc.sql(index.definition()).update();
        }
    }

    /** Every index of {@code schema} (name and definition with the schema's name taken out), to compare schemas. */
    public List<String> definitions(String schema) {
        return jdbc.sql(DEFINITIONS).param(schema).query(String.class).list();
    }

    private static String checked(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not an identifier a migration makes: " + name);
        }
        return name;
    }
}
