package dev.docsync.projection.replay;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.util.regex.Pattern;
import dev.docsync.projection.apply.LogTopology;
import dev.docsync.projection.apply.PartitionOffsets;
import dev.docsync.projection.apply.ProjectionWriter;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The schemas of a replay, next to the live projection in one database: a fresh schema to rebuild into, the check
 * that live has caught up with what the replay applied, and the swap of the rebuilt schema into live's place.
 */
public final class ReplaySchemas {

    private static final String CURRENT_SCHEMA = "select current_schema()";

    /** Partitions the replay applied further than live has (schema names are checked, not bound: identifiers). */
    private static final String LIVE_BEHIND = """
            select count(*) from %s.consumer_offsets r
              left join %s.consumer_offsets l
                on l.consumer_group = r.consumer_group and l.topic = r.topic and l.partition = r.partition
             where coalesce(l.next_offset, -1) < r.next_offset""";

    private static final String RENAME = "alter schema %s rename to %s";

    private static final String END_OTHER_SESSIONS = """
            select pg_terminate_backend(pid) from pg_stat_activity
             where datname = current_database() and pid <> pg_backend_pid()""";

    /** Connections of a replay's pool: the partitions it applies side by side. */
    public static final int CONNECTIONS = 3;

    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final DataSource live;
    private final JdbcClient jdbc;

    public ReplaySchemas(DataSource live) {
        this.live = live;
        this.jdbc = JdbcClient.create(live);
    }

    /** The schema the live projection is in. */
    public String liveSchema() {
        return jdbc.sql(CURRENT_SCHEMA).query(String.class).single();
    }

    /** Creates {@code schema} with the projection's tables (every migration), empty. */
    public void create(String schema) {
        Flyway.configure().dataSource(live).schemas(checked(schema)).createSchemas(true).load().migrate();
    }

    /**
     * A small pool of its own onto {@code schema}, with live's connection settings: the replay's writes never
     * take connections from live's pool. The caller closes it.
     */
    public HikariDataSource open(String schema) {
        HikariDataSource settings;
        try {
            settings = live.unwrap(HikariDataSource.class);
        } catch (SQLException e) {
            throw new IllegalStateException("a replay copies the settings of live's Hikari pool", e);
        }
        HikariDataSource target = new HikariDataSource();
        target.setJdbcUrl(settings.getJdbcUrl());
        target.setUsername(settings.getUsername());
        target.setPassword(settings.getPassword());
        target.setDataSourceProperties(settings.getDataSourceProperties());
        target.setSchema(checked(schema));
        target.setMaximumPoolSize(CONNECTIONS);
        // A rebuild waits for no one: its commits need not wait for the WAL flush (a crash loses at most the last
        // moments of a replay that is not swapped in yet; the swap's own commit flushes everything before it).
        target.setConnectionInitSql("set synchronous_commit to off");
        target.setPoolName("replay");
        return target;
    }

    /**
     * What the apply writes through, onto {@code schema} over a small pool of its own ({@link #open}), without
     * signalling results (nobody waits on a rebuild). Close it when done.
     */
    public Target target(String schema) {
        HikariDataSource pool = open(schema);
        JdbcClient client = JdbcClient.create(pool);
        ProjectionWriter writer = ProjectionWriter.withoutSignals(pool);
        return new Target(new TransactionTemplate(new DataSourceTransactionManager(pool)), writer,
                new BulkWriter(pool, writer), new PartitionOffsets(client), new LogTopology(client), pool);
    }

    /** The projection's writers onto one schema (the live one's and the bulk one), and the pool they share. */
    public record Target(TransactionTemplate transactions, ProjectionWriter writer, BulkWriter bulk,
            PartitionOffsets offsets, LogTopology topology, AutoCloseable pool) {
    }

    /** The secondary indexes of a schema, dropped before a bulk load and built after it. */
    public SecondaryIndexes indexes() {
        return new SecondaryIndexes(jdbc);
    }

    /** Checksums of the projection's tables, read in live's connection (schemas are named in the queries). */
    public ProjectionChecksums checksums() {
        return new ProjectionChecksums(jdbc);
    }

    /** How many partitions the replay in {@code schema} applied further than live (in {@code liveSchema}) has. */
    public long partitionsLiveIsBehind(String schema, String liveSchema) {
        return jdbc.sql(LIVE_BEHIND.formatted(checked(schema), checked(liveSchema))).query(Long.class).single();
    }

    /**
     * Renames the live schema away and the rebuilt one into its place in one transaction, then ends every other
     * session of the database, so that no prepared statement keeps pointing at the retired tables. Returns the
     * name the old live schema is kept under.
     */
    public String swap(String liveSchema, String schema) {
        String retired = checked(liveSchema + "_before_" + schema.substring(schema.indexOf('_') + 1));
        new TransactionTemplate(new DataSourceTransactionManager(live)).executeWithoutResult(status -> {
            jdbc.sql(RENAME.formatted(checked(liveSchema), retired)).update();
            jdbc.sql(RENAME.formatted(checked(schema), checked(liveSchema))).update();
        });
        jdbc.sql(END_OTHER_SESSIONS).query().listOfRows();
        return retired;
    }

    private static String checked(String schema) {
        if (!NAME.matcher(schema).matches()) {
            throw new IllegalArgumentException("not a schema name this replay makes: " + schema);
        }
        return schema;
    }
}
