package dev.docsync.local;

import dev.docsync.contracts.OperationsTopic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.util.FileSystemUtils;

/**
 * The real stack (embedded PostgreSQL + Kafka KRaft broker + apply-worker + ingest-api), started once per
 * test JVM through the same {@link LocalStack} local mode uses, on a throw-away data directory.
 */
final class TestStack {

    static final String JWT_SECRET = "integration-tests-secret-of-at-least-32-bytes";
    static final int PARTITIONS = 6;

    private static TestStack instance;

    final LocalStack stack;
    final Api api;
    final DevTokens tokens = new DevTokens(JWT_SECRET);
    final JdbcTemplate jdbc;
    final LogInspector log;

    private TestStack(LocalStack stack) {
        this.stack = stack;
        this.api = new Api("http://localhost:" + stack.httpPort());
        this.jdbc = jdbc(stack.jdbcUrl(), stack.databaseUser());
        this.log = new LogInspector(stack.kafkaBootstrap(), OperationsTopic.DEFAULT_NAME);
    }

    static synchronized TestStack get() {
        if (instance == null) {
            try {
                Path data = Files.createTempDirectory("docsync-it-");
                LocalStack stack = LocalStack.start(new LocalStack.Settings(data, 0, JWT_SECRET, Map.of(
                        "docsync.topic.partitions", String.valueOf(PARTITIONS),
                        "docsync.worker.concurrency", "2",
                        // Small, so that the suite's big documents (and their replay) cut polls into several
                        // apply transactions (the default is 32MB).
                        "docsync.worker.max-transaction-bytes", "4MB",
                        // The fuzz and matrix suites send hundreds of requests per second as one actor;
                        // RateLimitIntegrationTest checks the limit on an instance of its own.
                        "docsync.rate-limit.requests-per-second", "1000000",
                        "docsync.rate-limit.burst", "1000000",
                        // LiveChangesIntegrationTest waits for heartbeats; the default (15 s) would make it slow.
                        "docsync.live.heartbeat", "1s",
                        // Retention runs every second (defaults: a minute), so RetentionIntegrationTest sees it run.
                        "docsync.retention.interval", "1s")));
                instance = new TestStack(stack);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    stack.close();
                    deleteQuietly(data);
                }));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** Plain connections to a database of a stack, outside the apps' pools (a killed session stays killed). */
    static JdbcTemplate jdbc(String url, String user) {
        DataSource dataSource = new SimpleDriverDataSource(new org.postgresql.Driver(), url, user, "");
        return new JdbcTemplate(dataSource);
    }

    static void deleteQuietly(Path directory) {
        try {
            FileSystemUtils.deleteRecursively(directory);
        } catch (IOException e) {
            System.err.println("could not delete " + directory + ": " + e);
        }
    }

    /** A token for {@code user} with the given workspace roles. */
    String token(String user, Map<String, String> workspaces) {
        return tokens.mint(user, workspaces, Duration.ofHours(1));
    }

    /** An editor token for one workspace. */
    String editor(String user, String workspace) {
        return token(user, Map.of(workspace, "editor"));
    }
}
