package dev.docsync.bench;

import dev.docsync.bench.Results.Latency;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.HdrHistogram.Histogram;

/**
 * The same writes docsync's apply makes for a create (a document row and a history row), straight into the
 * same PostgreSQL with batched JDBC: no HTTP, no Kafka, no version checks. The yardstick for efficiency.
 */
final class Baseline {

    private static final String SCHEMA = "bench_baseline";
    private static final String DOCUMENT = """
            insert into bench_baseline.documents (workspace_id, document_id, version, title, content, yjs_state_b64,
                deleted, created_at, updated_at, updated_by) values (?, ?, 1, ?, ?, null, false, ?, ?, 'bench')""";
    private static final String VERSION = """
            insert into bench_baseline.document_versions (workspace_id, document_id, version, operation, actor,
                batch_id, client_id, stamped_at, title, content, yjs_state_b64, deleted, log_partition, log_offset,
                apply_index) values (?, ?, 1, 'create', 'bench', gen_random_uuid(), ?, ?, ?, ?, null, false, 0, 0, ?)""";

    private final String url;
    private final Properties login = new Properties();

    Baseline(Properties endpoints) {
        this.url = endpoints.getProperty("spring.datasource.url");
        login.setProperty("user", endpoints.getProperty("spring.datasource.username"));
        login.setProperty("password", "");
        login.setProperty("reWriteBatchedInserts", "true");
    }

    Results.Baseline run(int threads, int batchSize, long operations, int tenOpSamples) throws Exception {
        try (Connection c = DriverManager.getConnection(url, login); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + SCHEMA + " cascade");
            s.execute("create schema " + SCHEMA);
            s.execute("create table " + SCHEMA + ".documents (like public.documents including all)");
            s.execute("create table " + SCHEMA + ".document_versions (like public.document_versions including all)");
        }
        long perThread = operations / threads / batchSize;
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                running.add(pool.submit(() -> {
                    try (Connection c = DriverManager.getConnection(url, login)) {
                        for (long b = 0; b < perThread; b++) {
                            transaction(c, "ws_base_" + thread, "t" + thread + "-" + b, batchSize);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long done = perThread * threads * batchSize;
        Histogram tenOps = Scenarios.histogram();
        try (Connection c = DriverManager.getConnection(url, login)) {
            for (int i = 0; i < tenOpSamples; i++) {
                long t = System.nanoTime();
                transaction(c, "ws_base_ten", "ten-" + i, 10);
                tenOps.recordValue(Scenarios.micros(t));
            }
        }
        return new Results.Baseline(threads, batchSize, done, done / seconds, Latency.of(tenOps));
    }

    private static void transaction(Connection c, String workspace, String prefix, int size) throws SQLException {
        c.setAutoCommit(false);
        Timestamp now = Timestamp.from(Instant.now());
        try (PreparedStatement documents = c.prepareStatement(DOCUMENT);
                PreparedStatement versions = c.prepareStatement(VERSION)) {
            for (int i = 0; i < size; i++) {
                String id = prefix + "-" + i;
                String content = "# A note written offline, " + prefix;
                documents.setString(1, workspace);
                documents.setString(2, id);
                documents.setString(3, id);
                documents.setString(4, content);
                documents.setTimestamp(5, now);
                documents.setTimestamp(6, now);
                documents.addBatch();
                versions.setString(1, workspace);
                versions.setString(2, id);
                versions.setString(3, "op_" + i);
                versions.setTimestamp(4, now);
                versions.setString(5, id);
                versions.setString(6, content);
                versions.setInt(7, i);
                versions.addBatch();
            }
            documents.executeBatch();
            versions.executeBatch();
        }
        c.commit();
    }
}
