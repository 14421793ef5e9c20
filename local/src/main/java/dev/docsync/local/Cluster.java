package dev.docsync.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production topology as processes on this machine (DESIGN §7, "Cluster on one machine"): three Kafka
 * nodes (KRaft, each broker and controller, each its own JVM and data directory), a standalone PostgreSQL
 * server, ingest-api and apply-worker instances from their executable jars. Every node can be killed,
 * stopped and started again on its own; {@link #close()} stops everything it started.
 */
public final class Cluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Cluster.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    // The brokers keep the full compiler (C2): with C1 only, a CI run's restarted node did not make the log
    // writable again within 3 minutes (ClusterFaultIntegrationTest, two nodes down); see docs/decisions.md.
    private static final List<String> KAFKA_JVM = List.of("-Xms256m", "-Xmx256m", "-XX:+UseSerialGC");
    private static final List<String> APP_JVM = List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");

    /**
     * @param ingestPorts one HTTP port per ingest instance (0: any free port)
     * @param extraEnvironment more variables for every app instance (tests shorten waits this way)
     */
    public record Settings(Path directory, Path ingestJar, Path workerJar, String jwtSecret, List<Integer> ingestPorts,
            int workers, Map<String, String> extraEnvironment) {
        public Settings {
            directory = directory.toAbsolutePath().normalize();
            ingestPorts = List.copyOf(ingestPorts);
            extraEnvironment = Map.copyOf(extraEnvironment);
        }
    }

    private final Settings settings;
    private final Path logs;
    private final List<NodeProcess> kafka = new ArrayList<>();
    private final List<Integer> kafkaPorts = new ArrayList<>();
    private final List<NodeProcess> ingest = new ArrayList<>();
    private final List<Integer> ingestPorts = new ArrayList<>();
    private final List<NodeProcess> workers = new ArrayList<>();
    private final List<Integer> workerPorts = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private LocalPostgres postgres;

    private Cluster(Settings settings) {
        this.settings = settings;
        this.logs = settings.directory().resolve("logs");
    }

    /** Starts Kafka and PostgreSQL side by side, then the apps, and returns once every instance is ready. */
    public static Cluster start(Settings settings) throws IOException {
        Cluster cluster = new Cluster(settings);
        try {
            cluster.startAll();
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void startAll() throws IOException {
        Files.createDirectories(logs);
        killLeftovers(settings.directory());
        CompletableFuture<LocalPostgres> database = CompletableFuture.supplyAsync(() -> {
            try {
                return LocalPostgres.start(settings.directory().resolve("postgres"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, task -> Thread.ofPlatform().name("docsync-postgres-start").start(task));
        startKafka();
        postgres = join(database);
        postgres.createRole(ClusterTopology.appEnvironment().get("DOCSYNC_DB_USER"), databasePassword());
        awaitBrokers(ClusterTopology.KAFKA_NODES);
        for (int i = 0; i < settings.ingestPorts().size(); i++) {
            int port = settings.ingestPorts().get(i) == 0 ? FreePorts.pick() : settings.ingestPorts().get(i);
            ingestPorts.add(port);
            ingest.add(app("ingest-" + (i + 1), settings.ingestJar(), ingestEnvironment(port)));
        }
        for (int i = 0; i < settings.workers(); i++) {
            addWorkerProcess();
        }
        ingest.forEach(NodeProcess::start);
        workers.forEach(NodeProcess::start);
        for (int i = 0; i < ingest.size(); i++) {
            awaitReady(ingest.get(i), ingestPorts.get(i));
        }
        for (int i = 0; i < workers.size(); i++) {
            awaitReady(workers.get(i), workerPorts.get(i));
        }
    }

    private void startKafka() throws IOException {
        List<Integer> controllerPorts = new ArrayList<>();
        for (int n = 0; n < ClusterTopology.KAFKA_NODES; n++) {
            kafkaPorts.add(FreePorts.pick());
            controllerPorts.add(FreePorts.pick());
        }
        String voters = java.util.stream.IntStream.range(0, ClusterTopology.KAFKA_NODES)
                .mapToObj(n -> (n + 1) + "@localhost:" + controllerPorts.get(n)).collect(Collectors.joining(","));
        String clusterId = clusterId();
        for (int n = 0; n < ClusterTopology.KAFKA_NODES; n++) {
            String name = "kafka-" + (n + 1);
            Path directory = settings.directory().resolve(name);
            Properties config = new Properties();
            config.putAll(ClusterTopology.brokerSettings());
            config.put("node.id", String.valueOf(n + 1));
            config.put("controller.quorum.voters", voters);
            config.put("listeners", "PLAINTEXT://localhost:" + kafkaPorts.get(n) + ",CONTROLLER://localhost:"
                    + controllerPorts.get(n));
            config.put("advertised.listeners", "PLAINTEXT://localhost:" + kafkaPorts.get(n));
            config.put("log.dirs", directory.resolve("logs").toString());
            Files.createDirectories(directory.resolve("logs"));
            Path file = directory.resolve("server.properties");
            try (Writer writer = Files.newBufferedWriter(file)) {
                config.store(writer, "written by ./run-cluster at each start (ports are picked anew)");
            }
            NodeProcess node = new NodeProcess(name, jvm(KAFKA_JVM, name),
                    List.of("-cp", System.getProperty("java.class.path"), "kafka.Kafka", file.toString()), Map.of(),
                    logs);
            if (!Files.exists(directory.resolve("logs").resolve("meta.properties"))) {
                format(node, file, clusterId);
            }
            kafka.add(node);
        }
        kafka.forEach(NodeProcess::start);
    }

    /** Formats a node's storage once, in a JVM of its own (StorageTool's logging and exit codes stay there). */
    private void format(NodeProcess node, Path config, String clusterId) throws IOException {
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx128m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "kafka.tools.StorageTool", "format", "-t", clusterId,
                "-c", config.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(node.logFile().toFile())).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("formatting the storage of " + node + " failed; see " + node.logFile());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while formatting " + node, e);
        }
    }

    /** One cluster id for all nodes, chosen at the first start and kept in the cluster directory. */
    private String clusterId() throws IOException {
        Path file = settings.directory().resolve("kafka-cluster-id");
        if (Files.exists(file)) {
            return Files.readString(file).trim();
        }
        String id = org.apache.kafka.common.Uuid.randomUuid().toString();
        Files.writeString(file, id);
        return id;
    }

    private NodeProcess app(String name, Path jar, Map<String, String> environment) {
        return new NodeProcess(name, jvm(APP_JVM, name), List.of("-jar", jar.toString()), environment, logs);
    }

    private List<String> jvm(List<String> options, String name) {
        List<String> all = new ArrayList<>(options);
        // Marks the cluster a process belongs to: a later start finds what a killed launcher left behind.
        all.add("-Ddocsync.cluster=" + settings.directory());
        return all;
    }

    private Map<String, String> commonEnvironment() {
        Map<String, String> env = new LinkedHashMap<>(ClusterTopology.appEnvironment());
        env.put("DOCSYNC_KAFKA_BOOTSTRAP", bootstrapServers());
        env.put("DOCSYNC_DB_URL", "jdbc:postgresql://localhost:" + postgres.port() + "/" + LocalPostgres.DATABASE);
        env.put("DOCSYNC_DB_PASSWORD", databasePassword());
        env.putAll(settings.extraEnvironment());
        return env;
    }

    private Map<String, String> ingestEnvironment(int port) {
        Map<String, String> env = commonEnvironment();
        env.put("DOCSYNC_JWT_SECRET", settings.jwtSecret());
        env.put("SERVER_PORT", String.valueOf(port));
        return env;
    }

    private static String databasePassword() {
        return java.util.Optional.ofNullable(System.getenv("DOCSYNC_DB_PASSWORD")).orElse("docsync");
    }

    /** Adds an apply-worker (static member {@code worker-N}) and starts it; it is ready when this returns. */
    public synchronized NodeProcess addWorker() {
        NodeProcess worker = addWorkerProcess();
        worker.start();
        awaitReady(worker, workerPorts.getLast());
        return worker;
    }

    private NodeProcess addWorkerProcess() {
        String name = "worker-" + (workers.size() + 1);
        int port = FreePorts.pick();
        Map<String, String> env = commonEnvironment();
        env.putAll(ClusterTopology.workerEnvironment());
        env.putAll(settings.extraEnvironment());
        env.put("DOCSYNC_WORKER_INSTANCE_ID", name);
        env.put("SERVER_PORT", String.valueOf(port));
        NodeProcess worker = app(name, settings.workerJar(), env);
        workers.add(worker);
        workerPorts.add(port);
        return worker;
    }

    /** Starts a node that was stopped or killed again, and waits until it is ready (Kafka: until it serves). */
    public void restart(NodeProcess node) {
        node.start();
        int index;
        if ((index = ingest.indexOf(node)) >= 0) {
            awaitReady(node, ingestPorts.get(index));
        } else if ((index = workers.indexOf(node)) >= 0) {
            awaitReady(node, workerPorts.get(index));
        } else if (kafka.contains(node)) {
            awaitBrokers(runningBrokers());
        }
    }

    private int runningBrokers() {
        return (int) kafka.stream().filter(NodeProcess::alive).count();
    }

    /**
     * Runs {@code apply-worker replay} against the cluster (a fresh schema, compared by checksum with the live
     * projection) and returns its exit code (0 when equal) and output.
     */
    public ReplayRun replay(Duration atMost) throws IOException {
        Map<String, String> env = commonEnvironment();
        Path out = logs.resolve("replay-" + System.currentTimeMillis() + ".log");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Ddocsync.node=replay"));
        command.addAll(jvm(APP_JVM, "replay"));
        command.addAll(List.of("-jar", settings.workerJar().toString(), "replay"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException("replay did not finish within " + atMost + "; see " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted during replay", e);
        }
        return new ReplayRun(process.exitValue(), Files.readString(out));
    }

    public record ReplayRun(int exitCode, String output) {
    }

    public List<NodeProcess> kafkaNodes() {
        return List.copyOf(kafka);
    }

    /** The Kafka node with this id (1-based, as in {@code node.id}). */
    public NodeProcess kafkaNode(int nodeId) {
        return kafka.get(nodeId - 1);
    }

    public List<NodeProcess> ingestNodes() {
        return List.copyOf(ingest);
    }

    public synchronized List<NodeProcess> workerNodes() {
        return List.copyOf(workers);
    }

    public List<String> ingestUrls() {
        return ingestPorts.stream().map(p -> "http://127.0.0.1:" + p).toList();
    }

    /** Where a worker serves health and metrics ({@code /actuator/...}). */
    public synchronized String managementUrl(NodeProcess worker) {
        return "http://127.0.0.1:" + workerPorts.get(workers.indexOf(worker));
    }

    public String bootstrapServers() {
        return kafkaPorts.stream().map(p -> "localhost:" + p).collect(Collectors.joining(","));
    }

    public LocalPostgres postgres() {
        return postgres;
    }

    public Path directory() {
        return settings.directory();
    }

    /** Waits until {@code count} brokers are registered with the controller quorum. */
    private void awaitBrokers(int count) {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        try (Admin admin = Admin.create(config)) {
            awaitCondition("Kafka with " + count + " brokers", () -> {
                kafka.stream().filter(n -> !n.alive()).findFirst().ifPresent(n -> {
                    if (count == ClusterTopology.KAFKA_NODES) {
                        n.checkAlive();
                    }
                });
                try {
                    return admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size() >= count;
                } catch (ExecutionException | TimeoutException e) {
                    return false;
                }
            });
        }
    }

    private void awaitReady(NodeProcess node, int port) {
        URI readiness = URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness");
        awaitCondition(node + " ready", () -> {
            node.checkAlive();
            try {
                return http.send(HttpRequest.newBuilder(readiness).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static void awaitCondition(String what, InterruptibleCondition condition) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            while (!condition.met()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out waiting for " + what);
                }
                Thread.sleep(250); // polling a process that has no other way to say it is ready
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + what, e);
        }
    }

    private interface InterruptibleCondition {
        boolean met() throws InterruptedException;
    }

    private static <T> T join(CompletableFuture<T> future) throws IOException {
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof UncheckedIOException io ? io.getCause() : new IOException(e.getCause());
        }
    }

    /**
     * Processes of this cluster directory left running by a launcher that was itself SIGKILLed: found by the
     * {@code -Ddocsync.cluster} mark on their command line, and killed before anything starts.
     */
    private static void killLeftovers(Path directory) {
        String mark = "-Ddocsync.cluster=" + directory;
        ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(mark)).orElse(false))
                .forEach(p -> {
                    log.warn("Killing pid {} left running on {} by an earlier run", p.pid(), directory);
                    p.destroyForcibly();
                    p.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> p).join();
                });
    }

    /**
     * Stops in dependency order: ingest (graceful, no more requests), workers, the Kafka nodes (side by side,
     * SIGKILL after 20 s: a node that lost its quorum hangs in controlled shutdown), then PostgreSQL.
     */
    @Override
    public void close() {
        stopAll(ingest, Duration.ofSeconds(30));
        stopAll(workerNodes(), Duration.ofSeconds(30));
        stopAll(kafka, Duration.ofSeconds(20));
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException | RuntimeException e) {
                log.warn("Stopping PostgreSQL failed", e);
            }
        }
    }

    private static void stopAll(List<NodeProcess> nodes, Duration grace) {
        List<Thread> stopping = nodes.stream()
                .map(n -> Thread.ofPlatform().name("stop-" + n.name()).start(() -> n.stop(grace))).toList();
        for (Thread thread : stopping) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                nodes.forEach(NodeProcess::kill);
                return;
            }
        }
    }
}
