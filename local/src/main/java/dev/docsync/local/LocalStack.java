package dev.docsync.local;

import dev.docsync.ingest.IngestApplication;
import dev.docsync.worker.WorkerApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * Everything docsync needs, in one JVM: real PostgreSQL and real Kafka (KRaft) on a data directory, the
 * apply-worker and the ingest-api as two Spring contexts, each with its own configuration, exactly as they
 * run apart. Used by local mode and by the integration tests.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

    /**
     * @param httpPort 0 for any free port
     * @param extraProperties more Spring properties for both apps (tests tune waits and partitions this way)
     */
    public record Settings(Path dataDirectory, int httpPort, String jwtSecret, Map<String, String> extraProperties) {
        public Settings {
            extraProperties = Map.copyOf(extraProperties);
        }
    }

    private final Settings settings;
    private final LocalPostgres postgres;
    private final LocalKafka kafka;
    /** Volatile: the ingest's readiness reads it without waiting for a restart of the worker to finish. */
    private volatile ConfigurableApplicationContext worker;
    private ConfigurableApplicationContext ingest;

    private LocalStack(Settings settings, LocalPostgres postgres, LocalKafka kafka) {
        this.settings = settings;
        this.postgres = postgres;
        this.kafka = kafka;
    }

    public static LocalStack start(Settings settings) throws IOException {
        return start(settings, true);
    }

    /**
     * PostgreSQL, Kafka and the ingest-api only: for tests that run apply-workers as processes of their own,
     * so that a worker can be killed without taking the log, the database or the API with it.
     */
    public static LocalStack startWithoutWorker(Settings settings) throws IOException {
        return start(settings, false);
    }

    private static LocalStack start(Settings settings, boolean withWorker) throws IOException {
        // The two servers do not depend on each other: start them side by side.
        Executor ownThread = task -> Thread.ofPlatform().name("docsync-start").start(task);
        CompletableFuture<LocalPostgres> postgres = CompletableFuture.supplyAsync(
                unchecked(() -> LocalPostgres.start(settings.dataDirectory().resolve("postgres"))), ownThread);
        CompletableFuture<LocalKafka> kafka = CompletableFuture.supplyAsync(
                unchecked(() -> LocalKafka.start(settings.dataDirectory().resolve("kafka"))), ownThread);
        try {
            CompletableFuture.allOf(postgres, kafka).join();
        } catch (CompletionException e) {
            postgres.thenAccept(p -> closeQuietly("postgresql", p::close));
            kafka.thenAccept(k -> closeQuietly("kafka", k::close));
            throw e.getCause() instanceof UncheckedIOException io ? io.getCause() : new IOException(e.getCause());
        }
        return startApps(settings, postgres.join(), kafka.join(), withWorker);
    }

    private static LocalStack startApps(Settings settings, LocalPostgres postgres, LocalKafka kafka,
            boolean withWorker) {
        LocalStack stack = new LocalStack(settings, postgres, kafka);
        try {
            stack.worker = withWorker ? stack.startWorker() : null;
            stack.ingest = stack.startIngest(settings.httpPort(), Map.of(), withWorker);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    public int httpPort() {
        return httpPort(ingest);
    }

    public static int httpPort(ConfigurableApplicationContext ingestContext) {
        return Integer.parseInt(ingestContext.getEnvironment().getRequiredProperty("local.server.port"));
    }

    public String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    public String databaseUser() {
        return postgres.user();
    }

    public String kafkaBootstrap() {
        return kafka.bootstrapServers();
    }

    /** The embedded database, which fault tests stop ({@link LocalPostgres#halt()}) and resume. */
    public LocalPostgres postgres() {
        return postgres;
    }

    /** The embedded broker, which fault and readiness tests stop ({@link LocalKafka#halt()}) and resume. */
    public LocalKafka kafka() {
        return kafka;
    }

    public ConfigurableApplicationContext ingest() {
        return ingest;
    }

    public synchronized ConfigurableApplicationContext worker() {
        return worker;
    }

    /** Stops the apply-worker context (its consumers leave the group) and starts a fresh one. */
    public synchronized void restartWorker() {
        restartWorker(Map.of());
    }

    /**
     * Stops the apply-worker context and starts a fresh one with {@code properties} added (e.g. a worker
     * "upgraded" to read a newer event schema).
     */
    public synchronized void restartWorker(Map<String, String> properties) {
        if (worker == null) {
            throw new IllegalStateException("this stack runs no apply-worker of its own");
        }
        worker.close();
        Map<String, String> merged = new LinkedHashMap<>(Map.of("docsync.worker.instance-id", "local"));
        merged.putAll(properties);
        worker = startWorker(merged);
    }

    /**
     * Another ingest-api instance on the same Kafka and PostgreSQL, on a free port (tests of several
     * instances); the caller closes it.
     */
    public ConfigurableApplicationContext startAnotherIngest(Map<String, String> properties) {
        return startIngest(0, properties, false);
    }

    /**
     * Another apply-worker instance in the same consumer group (tests of several workers); {@code properties}
     * must name its own {@code docsync.worker.instance-id}. The caller closes it.
     */
    public ConfigurableApplicationContext startAnotherWorker(Map<String, String> properties) {
        return startWorker(properties);
    }

    /** The port of a worker context's management server (health, prometheus). */
    public static int managementPort(ConfigurableApplicationContext workerContext) {
        return Integer.parseInt(workerContext.getEnvironment().getRequiredProperty("local.server.port"));
    }

    private ConfigurableApplicationContext startWorker() {
        return startWorker(Map.of("docsync.worker.instance-id", "local"));
    }

    /**
     * The worker is a web application only for its management endpoints; here it takes any free port (the
     * ingest's {@code SERVER_PORT} must not leak into it), logged at start and readable from its context.
     */
    private ConfigurableApplicationContext startWorker(Map<String, String> properties) {
        Map<String, String> specific = new LinkedHashMap<>(properties);
        specific.putIfAbsent("server.port", "0");
        ConfigurableApplicationContext context = new SpringApplicationBuilder(WorkerApplication.class)
                .properties(Map.of("spring.config.name", WorkerApplication.CONFIG_NAME))
                .registerShutdownHook(false)
                .run(arguments(Map.of(
                        // One consumer thread per partition of the default topic: apply transactions of different
                        // partitions overlap their commits (bench: 4 clients 4,116 → 5,106 ops/s).
                        "docsync.worker.concurrency", "12",
                        // Twelve consumers share one heap with everything else here: each fetches at most 4 MiB
                        // (a larger event still comes, alone) and hands over at most 500 records a poll.
                        "spring.kafka.consumer.max-poll-records", "500",
                        "spring.kafka.consumer.properties.fetch.max.bytes", String.valueOf(4 * 1024 * 1024),
                        "spring.kafka.consumer.properties.max.partition.fetch.bytes", String.valueOf(1024 * 1024)),
                        specific));
        log.info("apply-worker management (health, prometheus) at http://localhost:{}/actuator",
                managementPort(context));
        return context;
    }

    /**
     * @param reportsWorker the ingest's readiness includes this stack's worker's {@code consumers} component (as
     *     {@code applyWorker}): in local mode one process both accepts and applies, so a stack whose worker cannot
     *     apply must not report ready
     */
    private ConfigurableApplicationContext startIngest(int port, Map<String, String> properties,
            boolean reportsWorker) {
        Map<String, String> specific = new LinkedHashMap<>(properties);
        specific.put("server.port", String.valueOf(port));
        specific.put("docsync.jwt.secret", settings.jwtSecret());
        // DemoSite switches itself on only where docsync.demo.directory is set (local mode with a built demo).
        SpringApplicationBuilder builder = new SpringApplicationBuilder(IngestApplication.class, DemoSite.class)
                .properties(Map.of("spring.config.name", IngestApplication.CONFIG_NAME))
                .registerShutdownHook(false);
        if (reportsWorker) {
            builder.initializers(this::reportWorkerReadiness);
        }
        return builder.run(arguments(Map.of(), specific));
    }

    private static final String READINESS_GROUP = "management.endpoint.health.group.readiness.include";

    private void reportWorkerReadiness(ConfigurableApplicationContext ingestContext) {
        HealthIndicator applyWorker = () -> {
            ConfigurableApplicationContext current = worker;
            if (current == null || !current.isActive()) {
                return Health.down().withDetail("error", "the apply-worker is not running").build();
            }
            return current.getBean(WORKER_CONSUMERS, HealthIndicator.class).health();
        };
        ingestContext.getBeanFactory().registerSingleton("applyWorkerHealthIndicator", applyWorker);
        String include = ingestContext.getEnvironment().getProperty(READINESS_GROUP, "readinessState");
        ingestContext.getEnvironment().getPropertySources().addFirst(new MapPropertySource("docsync-local-readiness",
                Map.of(READINESS_GROUP, include + ",applyWorker")));
    }

    /** The worker's readiness component that says whether its consumers apply every partition they own. */
    private static final String WORKER_CONSUMERS = "consumersHealthIndicator";

    /** Where an app finds this stack's PostgreSQL and Kafka, as Spring properties (also for apps run apart). */
    public Map<String, String> connectionProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", postgres.jdbcUrl());
        properties.put("spring.datasource.username", postgres.user());
        properties.put("spring.datasource.password", "");
        properties.put("spring.kafka.bootstrap-servers", kafka.bootstrapServers());
        return properties;
    }

    /**
     * Command-line arguments, so the embedded servers win over any DOCSYNC_* variable in the environment:
     * local-mode {@code defaults}, then the settings' extra properties, then what this app must have.
     */
    private String[] arguments(Map<String, String> defaults, Map<String, String> specific) {
        Map<String, String> properties = new LinkedHashMap<>(connectionProperties());
        // Both apps share one logging system here; an application-name tag would name only the first.
        properties.put("logging.include-application-name", "false");
        properties.putAll(defaults);
        properties.putAll(settings.extraProperties());
        properties.putAll(specific);
        List<String> args = new ArrayList<>();
        properties.forEach((key, value) -> args.add("--" + key + "=" + value));
        return args.toArray(String[]::new);
    }

    /** Stops in dependency order: stop taking requests, stop applying, then the log, then the database. */
    @Override
    public synchronized void close() {
        if (ingest != null) {
            closeQuietly("ingest-api", ingest::close);
        }
        if (worker != null) {
            closeQuietly("apply-worker", worker::close);
        }
        closeQuietly("kafka", kafka::close);
        closeQuietly("postgresql", postgres::close);
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> Supplier<T> unchecked(IoSupplier<T> supplier) {
        return () -> {
            try {
                return supplier.get();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void closeQuietly(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            log.warn("Stopping {} failed", what, e);
        }
    }
}
