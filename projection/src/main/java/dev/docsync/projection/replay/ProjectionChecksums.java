package dev.docsync.projection.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.SqlArrayValue;

/**
 * Compares two projections in one database (two schemas) by checksum: history and batch results row by
 * row, documents by their full state. Only what the log held up to {@code cutoff} (partition → end offset)
 * is compared, so a live projection that kept applying during a replay compares fairly: documents changed
 * after the cutoff are left out of the document comparison (their history up to it is still compared).
 * {@code batch_results.applied_at} is wall-clock time and not compared. Bodies are compared by their SHA-256
 * digests, which the rows refer to. Results the live projection has pruned (stamped before its recorded
 * {@code retention_horizons} entry) are left out on both sides: live keeps only what its retention keeps, a
 * rebuilt projection has them all.
 */
public final class ProjectionChecksums {

    /** One table's comparison: row counts, checksums, and the first differing row (by key) if any. */
    public record TableComparison(String table, long liveRows, long replayRows, String liveChecksum,
            String replayChecksum, String firstDifference) {
        public boolean equal() {
            return liveChecksum.equals(replayChecksum) && liveRows == replayRows;
        }
    }

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private static final String BEFORE_CUTOFF = """
            exists (select 1 from unnest(?::int[], ?::bigint[]) c(p, e) where c.p = x.log_partition and x.log_offset < c.e)""";

    private record Table(String name, String key, String columns, String filter) {
    }

    private final JdbcClient jdbc;

    public ProjectionChecksums(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public List<TableComparison> compare(String liveSchema, String replaySchema, Map<Integer, Long> cutoff) {
        requireSchema(liveSchema);
        requireSchema(replaySchema);
        Object[] partitions = cutoff.keySet().toArray();
        Object[] ends = cutoff.keySet().stream().map(cutoff::get).toArray();
        String changedAfterCutoff = """
                not exists (select 1 from %s.document_versions x where x.workspace_id = d.workspace_id
                   and x.document_id = d.document_id and not %s)""".formatted(liveSchema, BEFORE_CUTOFF);
        String keptByLive = BEFORE_CUTOFF + " and x.stamped_at >= coalesce((select h.pruned_before from %s"
                .formatted(liveSchema) + ".retention_horizons h where h.name = 'batch_results'), '-infinity')";
        List<Table> tables = List.of(
                new Table("document_versions", "workspace_id, document_id, version", """
                        workspace_id, document_id, version, operation, actor, batch_id, client_id, stamped_at, title,
                        content_digest, yjs_digest, deleted, log_partition, log_offset, apply_index, merged_from,
                        merge_algorithm""",
                        BEFORE_CUTOFF),
                new Table("batch_results", "batch_id", """
                        batch_id, workspace_id, actor, atomic, total, successful, failed, results, stamped_at,
                        log_partition, log_offset, duplicate_of""", keptByLive),
                new Table("documents", "workspace_id, document_id", """
                        workspace_id, document_id, version, title, content_digest, yjs_digest, deleted, created_at,
                        updated_at, updated_by""", changedAfterCutoff));
        List<TableComparison> results = new ArrayList<>();
        for (Table table : tables) {
            Cutoff args = new Cutoff(partitions, ends);
            String live = rows(liveSchema, table);
            String replay = rows(replaySchema, table);
            Object[] liveStats = stats(live, args);
            Object[] replayStats = stats(replay, args);
            String difference = null;
            if (!liveStats[1].equals(replayStats[1]) || !liveStats[0].equals(replayStats[0])) {
                difference = firstDifference(live, replay, args);
            }
            results.add(new TableComparison(table.name(), (Long) liveStats[0], (Long) replayStats[0],
                    (String) liveStats[1], (String) replayStats[1], difference));
        }
        return results;
    }

    /** Key text and row text of the compared rows of {@code table} in {@code schema}. */
    private static String rows(String schema, Table table) {
        String alias = table.name().equals("documents") ? "d" : "x";
        return "select concat_ws('/', %s) as k, row(%s)::text as t from %s.%s %s where %s"
                .formatted(table.key(), table.columns(), schema, table.name(), alias, table.filter());
    }

    /** The cutoff's partitions and end offsets, for {@link #BEFORE_CUTOFF}. */
    private record Cutoff(Object[] partitions, Object[] ends) {

        /** The parameters of one {@link #BEFORE_CUTOFF} (new arrays each time: each holds the driver's array). */
        List<Object> parameters() {
            return List.of(new SqlArrayValue("int4", partitions), new SqlArrayValue("int8", ends));
        }
    }

    private Object[] stats(String rows, Cutoff args) {
        return jdbc.sql("select count(*), md5(coalesce(string_agg(md5(t), '' order by k), '')) from ("
                + rows + ") r").params(args.parameters())
                .query((rs, n) -> new Object[] {rs.getLong(1), rs.getString(2)}).single();
    }

    private String firstDifference(String live, String replay, Cutoff args) {
        List<Object> both = new ArrayList<>(args.parameters());
        both.addAll(args.parameters());
        List<String> found = jdbc.sql("""
                select coalesce(l.k, r.k) as k, l.t as live, r.t as replay
                  from (%s) l full join (%s) r on l.k = r.k
                 where l.t is distinct from r.t
                 order by 1 limit 1""".formatted(live, replay)).params(both)
                .query((rs, n) -> "key " + rs.getString("k") + ": live " + rs.getString("live") + " / replay "
                        + rs.getString("replay")).list();
        return found.isEmpty() ? "row counts differ" : found.getFirst();
    }

    private static void requireSchema(String schema) {
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("not a schema name: " + schema);
        }
    }
}
