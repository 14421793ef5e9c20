package dev.docsync.bench;

import dev.docsync.bench.Results.BaselineCell;
import dev.docsync.bench.Results.Latency;
import dev.docsync.bench.Results.Spread;
import dev.docsync.contracts.OperationsTopic;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.postgresql.PGConnection;

/**
 * The strong direct-JDBC baseline (DESIGN §8): per batch, one transaction with the rows and checks docsync's apply
 * makes — lock the partition's stored offset, check the batch id is not applied yet, read the current state of
 * every document the batch names, decide each operation (version checks, conflicts carry the current state),
 * upsert the documents, insert the history rows and one result row, and move the offset — with no HTTP, no Kafka,
 * no JSON decoding. Written into tables of its own ({@code bench_baseline}, created like the projection's and
 * seeded with a copy of its rows, then vacuumed), so the projection is untouched and the tables are the same size.
 * Each write technique runs at 1, 2, 4 and 8 connections; the best cell is the yardstick. The apply's NOTIFY to
 * waiting requests has no equivalent here: it is not a row.
 */
final class Baseline {

    enum Technique {
        /** Prepared statements in JDBC batches, rewritten by the driver into multi-row statements. */
        BATCHED,
        /** One statement per table with array parameters ({@code unnest}). */
        UNNEST,
        /** Documents upserted with {@code unnest}; history rows streamed with {@code COPY FROM STDIN}. */
        COPY
    }

    private static final String SCHEMA = "bench_baseline";
    private static final String GROUP = "bench-baseline";
    private static final String TOPIC = OperationsTopic.DEFAULT_NAME;

    private static final String BASELINE_TABLES = """
            create table bench_baseline.documents (
                workspace_id text not null, document_id text not null, version bigint not null, title text not null,
                content text not null, yjs_state_b64 text, deleted boolean not null, created_at timestamptz not null,
                updated_at timestamptz not null, updated_by text not null, primary key (workspace_id, document_id));
            create table bench_baseline.document_versions (
                workspace_id text not null, document_id text not null, version bigint not null, operation text not null,
                actor text not null, batch_id uuid not null, client_id text, stamped_at timestamptz not null,
                title text not null, content text not null, yjs_state_b64 text, deleted boolean not null,
                log_partition int not null, log_offset bigint not null, apply_index int not null,
                primary key (workspace_id, document_id, version));
            create index on bench_baseline.document_versions (workspace_id, log_partition, log_offset, apply_index)""";

    private static final String LOCK = """
            select next_offset from bench_baseline.consumer_offsets
             where consumer_group = ? and topic = ? and partition = ? for update""";
    private static final String APPLIED = "select batch_id from bench_baseline.batch_results where batch_id = any(?)";
    private static final String LOAD = """
            select document_id, version, title, content, yjs_state_b64, deleted, created_at, updated_at, updated_by
              from bench_baseline.documents
             where (workspace_id, document_id) in (select * from unnest(?::text[], ?::text[]))""";
    private static final String UPSERT_SET = """
             on conflict (workspace_id, document_id) do update
               set version = excluded.version, title = excluded.title, content = excluded.content,
                   yjs_state_b64 = excluded.yjs_state_b64, deleted = excluded.deleted,
                   updated_at = excluded.updated_at, updated_by = excluded.updated_by""";
    private static final String UPSERT_ROWS = """
            insert into bench_baseline.documents (workspace_id, document_id, version, title, content, yjs_state_b64,
                                                  deleted, created_at, updated_at, updated_by)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""" + UPSERT_SET;
    private static final String UPSERT_UNNEST = """
            insert into bench_baseline.documents (workspace_id, document_id, version, title, content, yjs_state_b64,
                                                  deleted, created_at, updated_at, updated_by)
            select * from unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::boolean[],
                                 ?::timestamptz[], ?::timestamptz[], ?::text[])""" + UPSERT_SET;
    private static final String VERSION_COLUMNS = """
            workspace_id, document_id, version, operation, actor, batch_id, client_id, stamped_at, title, content,
            yjs_state_b64, deleted, log_partition, log_offset, apply_index""";
    private static final String VERSION_ROWS = "insert into bench_baseline.document_versions (" + VERSION_COLUMNS
            + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String VERSION_UNNEST = "insert into bench_baseline.document_versions (" + VERSION_COLUMNS
            + ") select * from unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::uuid[], ?::text[],"
            + " ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::int[], ?::bigint[], ?::int[])";
    private static final String VERSION_COPY = "copy bench_baseline.document_versions (" + VERSION_COLUMNS
            + ") from stdin";
    private static final String RESULT = """
            insert into bench_baseline.batch_results (batch_id, workspace_id, actor, atomic, total, successful, failed,
                                                      results, stamped_at, applied_at, log_partition, log_offset)
            values (?, ?, ?, false, ?, ?, ?, ?::jsonb, ?, ?, ?, ?)""";
    private static final String ADVANCE = """
            update bench_baseline.consumer_offsets set next_offset = ?
             where consumer_group = ? and topic = ? and partition = ?""";

    private final String url;
    private final Properties login = new Properties();
    private final Cpu cpu;
    private final Progress progress;
    private final List<Client> partitions = new ArrayList<>();

    Baseline(Properties endpoints, Cpu cpu, Progress progress) {
        this.url = endpoints.getProperty("spring.datasource.url");
        this.cpu = cpu;
        this.progress = progress;
        login.setProperty("user", endpoints.getProperty("spring.datasource.username"));
        login.setProperty("password", "");
        login.setProperty("reWriteBatchedInserts", "true");
        for (int p = 0; p < 8; p++) {
            partitions.add(new Client("baseline-" + p, "", List.of("bws_" + p + "_0", "bws_" + p + "_1",
                    "bws_" + p + "_2", "bws_" + p + "_3")));
        }
    }

    /** The whole grid (techniques × connections × repetitions) and the 10-op transaction latency of the best. */
    Results.Baseline run(int batchSize, int[] connections, Duration perCell, int repetitions, int tenOpSamples)
            throws Exception {
        long[] seeded = seed();
        // Unmeasured: the first cell would otherwise also pay for the bench JVM's JIT compiling this class.
        for (Technique technique : Technique.values()) {
            cell(technique, 2, batchSize, perCell.dividedBy(2));
        }
        Map<String, List<Double>> rates = new HashMap<>();
        Map<String, List<Double>> cpuPerOp = new HashMap<>();
        Map<String, Cpu.Share> shares = new HashMap<>();
        for (int rep = 1; rep <= repetitions; rep++) {
            for (Technique technique : Technique.values()) {
                for (int c : connections) {
                    String cell = technique + "/" + c;
                    progress.note("baseline " + cell.toLowerCase(java.util.Locale.ROOT) + " #" + rep + "...");
                    Cpu.Sample before = cpu.sample();
                    long start = System.nanoTime();
                    long ops = cell(technique, c, batchSize, perCell);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    Cpu.Share share = Cpu.Share.between(before, cpu.sample());
                    rates.computeIfAbsent(cell, k -> new ArrayList<>()).add((double) Math.round(ops / seconds));
                    cpuPerOp.computeIfAbsent(cell, k -> new ArrayList<>())
                            .add(Math.round((share.postgres() + share.bench()) * seconds * 1e6 / ops * 10) / 10.0);
                    shares.put(cell, share);
                }
            }
        }
        List<BaselineCell> cells = new ArrayList<>();
        for (Technique technique : Technique.values()) {
            for (int c : connections) {
                String cell = technique + "/" + c;
                cells.add(new BaselineCell(technique.name().toLowerCase(java.util.Locale.ROOT), c, rates.get(cell),
                        Spread.of(rates.get(cell)), Spread.of(cpuPerOp.get(cell)).median(), shares.get(cell)));
            }
        }
        BaselineCell best = cells.stream().max(java.util.Comparator.comparingDouble(c -> c.spread().median()))
                .orElseThrow();
        Technique bestTechnique = Technique.valueOf(best.technique().toUpperCase(java.util.Locale.ROOT));
        List<Latency> tenOps = new ArrayList<>();
        Client ten = new Client("baseline-ten", "", List.of("bws_ten"));
        try (Connection c = connect()) {
            for (int rep = 1; rep <= repetitions; rep++) {
                Histogram histogram = Scenarios.histogram();
                for (int i = 0; i < tenOpSamples + tenOpSamples / 10; i++) {
                    Client.Batch batch = ten.next(10);
                    long t = System.nanoTime();
                    transaction(c, bestTechnique, 7, batch);
                    if (i >= tenOpSamples / 10) {
                        histogram.recordValue(Scenarios.micros(t));
                    }
                }
                tenOps.add(Latency.of(histogram));
            }
        }
        return new Results.Baseline(seeded[0], seeded[1], batchSize, cells, best.technique(), best.connections(),
                best.spread(), tenOps, Spread.of(tenOps.stream().map(Latency::p50).toList()));
    }

    /** Tables like the projection's, holding a copy of its rows, vacuumed; returns documents and versions copied. */
    private long[] seed() throws SQLException {
        progress.note("baseline: copying the projection's rows into " + SCHEMA + " and vacuuming...");
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + SCHEMA + " cascade");
            s.execute("create schema " + SCHEMA);
            // Content inline, as each row stood before document_bodies: for the bench's short contents that is the
            // same work as the apply's digest plus body row, with one statement fewer.
            s.execute(BASELINE_TABLES);
            for (String table : List.of("batch_results", "consumer_offsets")) {
                s.execute("create table " + SCHEMA + "." + table + " (like public." + table + " including all)");
            }
            long documents = s.executeUpdate("""
                    insert into bench_baseline.documents
                    select d.workspace_id, d.document_id, d.version, d.title, c.body, y.body, d.deleted, d.created_at,
                           d.updated_at, d.updated_by
                      from public.documents d
                      join public.document_bodies c on c.workspace_id = d.workspace_id and c.digest = d.content_digest
                      left join public.document_bodies y on y.workspace_id = d.workspace_id and y.digest = d.yjs_digest""");
            long versions = s.executeUpdate("""
                    insert into bench_baseline.document_versions
                    select v.workspace_id, v.document_id, v.version, v.operation, v.actor, v.batch_id, v.client_id,
                           v.stamped_at, v.title, c.body, y.body, v.deleted, v.log_partition, v.log_offset, v.apply_index
                      from public.document_versions v
                      join public.document_bodies c on c.workspace_id = v.workspace_id and c.digest = v.content_digest
                      left join public.document_bodies y on y.workspace_id = v.workspace_id and y.digest = v.yjs_digest""");
            s.executeUpdate("insert into " + SCHEMA + ".batch_results select * from public.batch_results");
            for (int p = 0; p < partitions.size() + 8; p++) {
                s.executeUpdate("insert into " + SCHEMA + ".consumer_offsets values ('" + GROUP + "', '" + TOPIC + "', "
                        + p + ", 0)");
            }
            s.execute("vacuum (analyze) " + SCHEMA + ".documents, " + SCHEMA + ".document_versions, " + SCHEMA
                    + ".batch_results, " + SCHEMA + ".consumer_offsets");
            return new long[] {documents, versions};
        }
    }

    /** {@code connections} threads, each its own partition, writing batches back to back; returns operations done. */
    private long cell(Technique technique, int connections, int batchSize, Duration duration) throws Exception {
        AtomicLong done = new AtomicLong();
        long deadline = System.nanoTime() + duration.toNanos();
        try (ExecutorService pool = Executors.newFixedThreadPool(connections)) {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < connections; t++) {
                int partition = t;
                running.add(pool.submit(() -> {
                    try (Connection c = connect()) {
                        while (System.nanoTime() < deadline) {
                            transaction(c, technique, partition, partitions.get(partition).next(batchSize));
                            done.addAndGet(batchSize);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
        return done.get();
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, login);
    }

    private record Doc(String id, long version, String title, String content, String yjs, boolean deleted,
            Timestamp createdAt) {
    }

    private record Change(Doc state, String operation, String clientId, int applyIndex) {
    }

    private static void transaction(Connection c, Technique technique, int partition, Client.Batch batch)
            throws SQLException {
        c.setAutoCommit(false);
        UUID batchId = UUID.randomUUID();
        Timestamp now = new Timestamp(System.currentTimeMillis());
        String workspace = batch.workspace();
        String actor = batch.client().actor;
        long offset;
        try (PreparedStatement lock = c.prepareStatement(LOCK)) {
            lock.setString(1, GROUP);
            lock.setString(2, TOPIC);
            lock.setInt(3, partition);
            try (ResultSet rs = lock.executeQuery()) {
                rs.next();
                offset = rs.getLong(1);
            }
        }
        try (PreparedStatement applied = c.prepareStatement(APPLIED)) {
            applied.setArray(1, c.createArrayOf("uuid", new Object[] {batchId}));
            try (ResultSet rs = applied.executeQuery()) {
                if (rs.next()) {
                    throw new IllegalStateException("batch applied twice");
                }
            }
        }
        Map<String, Doc> current = new HashMap<>();
        try (PreparedStatement load = c.prepareStatement(LOAD)) {
            String[] ids = batch.ops().stream().map(Client.Planned::documentId).toArray(String[]::new);
            String[] workspaces = new String[ids.length];
            java.util.Arrays.fill(workspaces, workspace);
            load.setArray(1, c.createArrayOf("text", workspaces));
            load.setArray(2, c.createArrayOf("text", ids));
            try (ResultSet rs = load.executeQuery()) {
                while (rs.next()) {
                    current.put(rs.getString(1), new Doc(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getBoolean(6), rs.getTimestamp(7)));
                }
            }
        }
        List<Change> changes = new ArrayList<>();
        StringBuilder results = new StringBuilder(batch.ops().size() * 120).append('[');
        int successful = 0;
        for (int i = 0; i < batch.ops().size(); i++) {
            Client.Planned op = batch.ops().get(i);
            Doc doc = current.get(op.documentId());
            String clientId = "op_" + i;
            String failure = null;
            Doc next = null;
            switch (op.kind()) {
                case CREATE -> {
                    if (doc != null) {
                        failure = "already_exists";
                    } else {
                        next = new Doc(op.documentId(), 1, op.documentId() + " v1", Client.content(op.documentId()), null,
                                false, now);
                    }
                }
                case UPDATE, STALE, DELETE -> {
                    if (doc == null) {
                        failure = "not_found";
                    } else if (doc.deleted()) {
                        failure = "deleted";
                    } else if (doc.version() != op.baseVersion()) {
                        failure = "version_conflict";
                    } else if (op.kind() == Client.Kind.DELETE) {
                        next = new Doc(doc.id(), doc.version() + 1, doc.title(), doc.content(), doc.yjs(), true,
                                doc.createdAt());
                    } else {
                        next = new Doc(doc.id(), doc.version() + 1, doc.id() + " v" + (doc.version() + 1),
                                Client.content(doc.id()), doc.yjs(), false, doc.createdAt());
                    }
                }
            }
            if (i > 0) {
                results.append(',');
            }
            results.append("{\"client_id\":\"").append(clientId).append("\",\"operation\":\"").append(op.kind().wire())
                    .append("\",\"document_id\":\"").append(op.documentId()).append('"');
            if (next != null) {
                successful++;
                current.put(next.id(), next);
                changes.add(new Change(next, op.kind().wire(), clientId, i));
                results.append(",\"status\":\"success\",\"version\":").append(next.version()).append('}');
                batch.client().settle(batch, i, "success", next.version());
            } else if (failure.equals("version_conflict")) {
                results.append(",\"status\":\"conflict\",\"version\":").append(doc.version())
                        .append(",\"error\":{\"code\":\"version_conflict\",\"message\":\"base_version ")
                        .append(op.baseVersion()).append(", current version ").append(doc.version())
                        .append("\"},\"current\":{\"document_id\":\"").append(doc.id()).append("\",\"version\":")
                        .append(doc.version()).append(",\"title\":\"").append(doc.title()).append("\",\"content\":\"")
                        .append(doc.content()).append("\",\"yjs_state_b64\":null,\"deleted\":false}}");
                batch.client().settle(batch, i, "conflict", doc.version());
            } else {
                results.append(",\"status\":\"error\",\"error\":{\"code\":\"").append(failure).append("\"}}");
            }
        }
        results.append(']');
        // A batch of the mix names each document once, so every change is also that document's final state.
        writeDocuments(c, technique, workspace, actor, now, changes.stream().map(Change::state).toList());
        writeVersions(c, technique, workspace, actor, batchId, now, partition, offset, changes);
        try (PreparedStatement result = c.prepareStatement(RESULT)) {
            result.setObject(1, batchId);
            result.setString(2, workspace);
            result.setString(3, actor);
            result.setInt(4, batch.ops().size());
            result.setInt(5, successful);
            result.setInt(6, batch.ops().size() - successful);
            result.setString(7, results.toString());
            result.setTimestamp(8, now);
            result.setTimestamp(9, now);
            result.setInt(10, partition);
            result.setLong(11, offset);
            result.executeUpdate();
        }
        try (PreparedStatement advance = c.prepareStatement(ADVANCE)) {
            advance.setLong(1, offset + batch.ops().size() + 1);
            advance.setString(2, GROUP);
            advance.setString(3, TOPIC);
            advance.setInt(4, partition);
            advance.executeUpdate();
        }
        c.commit();
    }

    private static void writeDocuments(Connection c, Technique technique, String workspace, String actor,
            Timestamp now, List<Doc> docs) throws SQLException {
        if (docs.isEmpty()) {
            return;
        }
        if (technique == Technique.BATCHED) {
            try (PreparedStatement ps = c.prepareStatement(UPSERT_ROWS)) {
                for (Doc d : docs) {
                    ps.setString(1, workspace);
                    ps.setString(2, d.id());
                    ps.setLong(3, d.version());
                    ps.setString(4, d.title());
                    ps.setString(5, d.content());
                    ps.setString(6, d.yjs());
                    ps.setBoolean(7, d.deleted());
                    ps.setTimestamp(8, d.createdAt());
                    ps.setTimestamp(9, now);
                    ps.setString(10, actor);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return;
        }
        int n = docs.size();
        String[] workspaces = new String[n];
        String[] ids = new String[n];
        Long[] versions = new Long[n];
        String[] titles = new String[n];
        String[] contents = new String[n];
        String[] yjs = new String[n];
        Boolean[] deleted = new Boolean[n];
        Timestamp[] created = new Timestamp[n];
        Timestamp[] updated = new Timestamp[n];
        String[] by = new String[n];
        for (int i = 0; i < n; i++) {
            Doc d = docs.get(i);
            workspaces[i] = workspace;
            ids[i] = d.id();
            versions[i] = d.version();
            titles[i] = d.title();
            contents[i] = d.content();
            yjs[i] = d.yjs();
            deleted[i] = d.deleted();
            created[i] = d.createdAt();
            updated[i] = now;
            by[i] = actor;
        }
        try (PreparedStatement ps = c.prepareStatement(UPSERT_UNNEST)) {
            ps.setArray(1, c.createArrayOf("text", workspaces));
            ps.setArray(2, c.createArrayOf("text", ids));
            ps.setArray(3, c.createArrayOf("bigint", versions));
            ps.setArray(4, c.createArrayOf("text", titles));
            ps.setArray(5, c.createArrayOf("text", contents));
            ps.setArray(6, c.createArrayOf("text", yjs));
            ps.setArray(7, c.createArrayOf("boolean", deleted));
            ps.setArray(8, c.createArrayOf("timestamptz", created));
            ps.setArray(9, c.createArrayOf("timestamptz", updated));
            ps.setArray(10, c.createArrayOf("text", by));
            ps.executeUpdate();
        }
    }

    private static void writeVersions(Connection c, Technique technique, String workspace, String actor, UUID batchId,
            Timestamp now, int partition, long offset, List<Change> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        switch (technique) {
            case BATCHED -> {
                try (PreparedStatement ps = c.prepareStatement(VERSION_ROWS)) {
                    for (Change ch : changes) {
                        Doc d = ch.state();
                        ps.setString(1, workspace);
                        ps.setString(2, d.id());
                        ps.setLong(3, d.version());
                        ps.setString(4, ch.operation());
                        ps.setString(5, actor);
                        ps.setObject(6, batchId);
                        ps.setString(7, ch.clientId());
                        ps.setTimestamp(8, now);
                        ps.setString(9, d.title());
                        ps.setString(10, d.content());
                        ps.setString(11, d.yjs());
                        ps.setBoolean(12, d.deleted());
                        ps.setInt(13, partition);
                        ps.setLong(14, offset);
                        ps.setInt(15, ch.applyIndex());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            case UNNEST -> {
                int n = changes.size();
                Object[][] columns = new Object[15][n];
                for (int i = 0; i < n; i++) {
                    Change ch = changes.get(i);
                    Doc d = ch.state();
                    Object[] row = {workspace, d.id(), d.version(), ch.operation(), actor, batchId, ch.clientId(), now,
                        d.title(), d.content(), d.yjs(), d.deleted(), partition, offset, ch.applyIndex()};
                    for (int col = 0; col < 15; col++) {
                        columns[col][i] = row[col];
                    }
                }
                String[] types = {"text", "text", "bigint", "text", "text", "uuid", "text", "timestamptz", "text", "text",
                    "text", "boolean", "int4", "bigint", "int4"};
                try (PreparedStatement ps = c.prepareStatement(VERSION_UNNEST)) {
                    for (int col = 0; col < 15; col++) {
                        ps.setArray(col + 1, c.createArrayOf(types[col], columns[col]));
                    }
                    ps.executeUpdate();
                }
            }
            case COPY -> {
                StringBuilder rows = new StringBuilder(changes.size() * 400);
                String stamped = now.toInstant().toString();
                for (Change ch : changes) {
                    Doc d = ch.state();
                    rows.append(copyText(workspace)).append('\t').append(copyText(d.id())).append('\t')
                            .append(d.version()).append('\t').append(ch.operation()).append('\t')
                            .append(copyText(actor)).append('\t').append(batchId).append('\t')
                            .append(copyText(ch.clientId())).append('\t').append(stamped).append('\t')
                            .append(copyText(d.title())).append('\t').append(copyText(d.content())).append('\t')
                            .append(d.yjs() == null ? "\\N" : copyText(d.yjs())).append('\t')
                            .append(d.deleted() ? 't' : 'f').append('\t').append(partition).append('\t')
                            .append(offset).append('\t').append(ch.applyIndex()).append('\n');
                }
                try {
                    c.unwrap(PGConnection.class).getCopyAPI().copyIn(VERSION_COPY, new StringReader(rows.toString()));
                } catch (java.io.IOException e) {
                    throw new SQLException("COPY failed", e);
                }
            }
        }
    }

    /** A value in COPY's text format. */
    private static String copyText(String value) {
        if (value.indexOf('\\') < 0 && value.indexOf('\t') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }
}
