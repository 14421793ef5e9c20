package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.docsync.contracts.OperationsTopic;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * DESIGN §6 on the production topology ({@link Cluster}, what {@code ./run-cluster} starts): three Kafka nodes
 * (RF 3, min.insync.replicas 2), a PostgreSQL server, two ingest-api and two apply-worker JVMs from their
 * jars, all real processes that are SIGKILLed. One cluster serves every scenario in order; each runs the
 * offline-client load ({@link WriteLoad}, clients spread over both ingest instances, retrying with their
 * Idempotency-Keys) through its fault and is judged by {@link HistoryChecker}. Figures go to stdout and
 * {@code target/cluster-figures.txt}.
 * <p>
 * To fit the build's time budget on two cores the default run kills a leader twice and skips the rolling
 * restart and the scale-out; {@code -Ddocsync.cluster.full=true} runs three leader kills, the rolling restart of
 * all three nodes and workers 1 → 2 → 4 as well.
 */
@Execution(ExecutionMode.CONCURRENT) // beside the other classes: see junit-platform.properties
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultIntegrationTest {

    private static final int CLIENTS = 6;
    private static final int PARTITIONS = TestStack.PARTITIONS;
    private static final Duration PHASE = Duration.ofSeconds(90);
    /**
     * How long a SIGKILLed node that comes back may take to make the log writable again: it recovers its logs,
     * rejoins the controller quorum and catches up before the ISR holds two replicas. Measured 38–74 s after the
     * kill on this 2-core machine; beside the other suites under load it took more than 90 s after the restart
     * (twice, once on the CI machine). The figures line reports the time it took.
     */
    private static final Duration RECOVERY = Duration.ofSeconds(180);
    /** The ingest producer's transaction.timeout.ms: how long a dead instance's open transaction may block. */
    private static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(15);
    private static final Path FIGURES = Path.of("target", "cluster-figures.txt");
    private static final String GROUP = "docsync-apply";
    private static final boolean FULL = Boolean.getBoolean("docsync.cluster.full");

    private static Path data;
    private static Cluster cluster;
    private static List<Api> apis;
    private static JdbcTemplate jdbc;
    private static LogInspector log;
    private static final DevTokens tokens = new DevTokens(TestStack.JWT_SECRET);

    @BeforeAll
    static void startCluster() throws IOException {
        data = Files.createTempDirectory("docsync-cluster-");
        long started = System.nanoTime();
        cluster = Cluster.start(new Cluster.Settings(data, jar("ingest-api"), jar("apply-worker"),
                TestStack.JWT_SECRET, List.of(0, 0), ClusterTopology.WORKER_INSTANCES, Map.of(
                        "DOCSYNC_TOPIC_PARTITIONS", String.valueOf(PARTITIONS),
                        // One consumer per worker: with 6 partitions, 1, 2 and 4 workers all get a share.
                        "DOCSYNC_WORKER_CONCURRENCY", "1",
                        "DOCSYNC_WORKER_RETRYMAXINTERVAL", "1s",
                        "DOCSYNC_INGEST_RETRY_AFTER", "1s",
                        "DOCSYNC_RATE_LIMIT_PER_SECOND", "1000000",
                        "DOCSYNC_RATE_LIMIT_BURST", "1000000")));
        apis = cluster.ingestUrls().stream().map(Api::new).toList();
        jdbc = TestStack.jdbc("jdbc:postgresql://localhost:%d/%s".formatted(cluster.postgres().port(),
                LocalPostgres.DATABASE), cluster.postgres().user());
        log = new LogInspector(cluster.bootstrapServers(), OperationsTopic.DEFAULT_NAME);
        // A test JVM that is killed (a surefire timeout, Ctrl-C) must not leave seven processes behind.
        Cluster running = cluster;
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "cluster-test-shutdown"));
        Files.createDirectories(FIGURES.getParent());
        Files.writeString(FIGURES, "cluster started in %d ms (3 Kafka nodes, PostgreSQL, 2 ingest-api, 2 apply-worker)%n"
                .formatted((System.nanoTime() - started) / 1_000_000));
    }

    @AfterAll
    static void stopCluster() {
        if (log != null) {
            log.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        keepLogs();
        TestStack.deleteQuietly(data);
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    @Order(1)
    void leadersOfBusyPartitionsKilledWhileTransactionsAreInFlight() throws Exception {
        int kills = FULL ? 3 : 2;
        try (WriteLoad load = new WriteLoad(apis, tokens, "leader", CLIENTS).start()) {
            List<Integer> killed = new ArrayList<>();
            for (int kill = 0; kill < kills; kill++) {
                load.awaitAcknowledged(load.acknowledged() + 20, PHASE);
                // Leadership moves with every kill and does not move back: look it up each time.
                int leader = log.leaderOf(LogInspector.partitionOf(load.workspaces().get(kill % CLIENTS)));
                NodeProcess node = cluster.kafkaNode(leader);
                node.kill();
                killed.add(leader);
                load.awaitAcknowledged(load.acknowledged() + 20, PHASE); // two nodes keep the log writable
                cluster.restart(node);
                if (kill < kills - 1) {
                    awaitFullyReplicated(); // before the next kill, or it would take a second replica away
                }
            }

            HistoryChecker.Figures figures = finishAndCheck("leader SIGKILLed " + kills + "x (nodes " + killed + ")",
                    load);

            assertThat(figures.acknowledged()).isGreaterThan(100);
            assertThat(figures.clean()).as(figures.toString()).isTrue();
        }
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    @Order(2)
    @EnabledIfSystemProperty(named = "docsync.cluster.full", matches = "true")
    void rollingRestartOfAllThreeNodes() throws Exception {
        try (WriteLoad load = new WriteLoad(apis, tokens, "rolling", CLIENTS).start()) {
            for (NodeProcess node : cluster.kafkaNodes()) {
                load.awaitAcknowledged(load.acknowledged() + 20, PHASE);
                node.stop(Duration.ofSeconds(30));
                cluster.restart(node);
                awaitFullyReplicated();
            }
            load.awaitAcknowledged(load.acknowledged() + 20, PHASE);

            HistoryChecker.Figures figures = finishAndCheck("rolling restart of kafka-1..3", load);

            assertThat(figures.clean()).as(figures.toString()).isTrue();
        }
    }

    /** Last before the replay: ingest-1 stays down afterwards (restarting it costs ~20 s of the budget). */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    @Order(7)
    void anIngestInstanceKilledMidAppend() throws Exception {
        try (WriteLoad load = new WriteLoad(apis, tokens, "ingestkill", CLIENTS).start()) {
            load.awaitAcknowledged(40, PHASE);
            NodeProcess first = cluster.ingestNodes().getFirst();
            first.kill();
            // Its clients fail over to the other instance with the same Idempotency-Keys.
            load.awaitAcknowledged(load.acknowledged() + 40, PHASE);

            HistoryChecker.Figures figures = finishAndCheck("ingest-1 SIGKILLed mid-append", load);

            assertThat(load.failovers()).isPositive();
            assertThat(figures.clean()).as(figures.toString()).isTrue();
            // A transaction the dead instance left open holds read_committed readers until Kafka aborts it.
            assertThat(Duration.ofMillis(load.maxLatencyMillis()))
                    .isLessThan(TRANSACTION_TIMEOUT.plus(Duration.ofSeconds(10)));
        }
    }

    /** worker-2 stays down until the scale-out run brings it back. */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    @Order(3)
    void anApplyWorkerKilledAndTheOtherTakesOver() throws Exception {
        try (WriteLoad load = new WriteLoad(apis, tokens, "workerkill", CLIENTS).start()) {
            load.awaitAcknowledged(40, PHASE);
            NodeProcess second = cluster.workerNodes().get(1);
            second.kill();
            await("worker-1 owns every partition").atMost(PHASE)
                    .until(() -> partitionsByWorker().equals(Map.of("worker-1", allPartitions())));
            load.awaitAcknowledged(load.acknowledged() + 30, PHASE);

            HistoryChecker.Figures figures = finishAndCheck("worker-2 SIGKILLed, worker-1 takes over", load);

            assertThat(figures.clean()).as(figures.toString()).isTrue();
        }
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    @Order(4)
    void postgresStoppedImmediateAndRestarted() throws Exception {
        try (WriteLoad load = new WriteLoad(apis, tokens, "pgimmediate", CLIENTS).receiptsMayBeLost().start()) {
            load.awaitAcknowledged(40, PHASE);
            cluster.postgres().haltImmediately();
            try {
                // The log still takes writes: batches wait in it for the database.
                load.awaitAcknowledged(load.acknowledged() + 10, PHASE);
            } finally {
                cluster.postgres().resume();
            }
            load.awaitAcknowledged(load.acknowledged() + 20, PHASE);

            HistoryChecker.Figures figures = finishAndCheck("PostgreSQL stopped -m immediate and restarted", load);

            assertThat(figures.clean()).as(figures.toString()).isTrue();
        }
    }

    /** kafka-3 stays down afterwards in the default run (a restart costs 10–60 s of the budget). */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    @Order(5)
    void twoNodesDownRefusesWritesAndOneBackAcceptsThemAgain() throws Exception {
        try (WriteLoad load = new WriteLoad(apis, tokens, "twodown", CLIENTS).start()) {
            load.awaitAcknowledged(40, PHASE);
            awaitFullyReplicated();
            List<NodeProcess> down = List.of(cluster.kafkaNode(2), cluster.kafkaNode(3));
            down.forEach(NodeProcess::kill);
            long killedAt = System.nanoTime();

            await("clients turned away with 503").atMost(PHASE).until(() -> load.unavailableAnswers() >= CLIENTS);
            int frozen = load.acknowledged();
            // One node of three cannot replicate anything: not a single batch may be acknowledged meanwhile.
            await("no acknowledgement while two of three nodes are down").during(Duration.ofSeconds(5))
                    .atMost(Duration.ofSeconds(10)).until(() -> load.acknowledged() == frozen);
            cluster.restart(down.getFirst());
            load.awaitAcknowledged(frozen + 20, RECOVERY);
            long writableAgainAfter = (System.nanoTime() - killedAt) / 1_000_000;
            if (FULL) {
                cluster.restart(down.getLast()); // the scale-out run after this one wants all three
            }

            HistoryChecker.Figures figures = finishAndCheck("kafka-2 and kafka-3 SIGKILLed, kafka-2 back (writable "
                    + writableAgainAfter + " ms after the kill)", load);

            assertThat(load.unavailableWithoutRetryAfter()).isZero();
            assertThat(figures.clean()).as(figures.toString()).isTrue();
        }
    }

    /**
     * Workers 1 → 2 → 4 under load (opt-in): partitions per worker and applied operations per second at each
     * count, and nothing lost or applied twice across the rebalances.
     */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    @Order(6)
    @EnabledIfSystemProperty(named = "docsync.cluster.full", matches = "true")
    void scalingOutFromOneToFourWorkersMovesPartitionsCleanly() throws Exception {
        List<String> steps = new ArrayList<>();
        try (WriteLoad load = new WriteLoad(apis, tokens, "scale", CLIENTS * 2).start()) {
            NodeProcess second = cluster.workerNodes().get(1);
            second.stop(Duration.ofSeconds(30));
            awaitEveryWorkerAssigned(1);
            steps.add(measure(load, 1));
            cluster.restart(second);
            awaitEveryWorkerAssigned(2);
            steps.add(measure(load, 2));
            List<NodeProcess> added = List.of(cluster.addWorker(), cluster.addWorker());
            awaitEveryWorkerAssigned(4);
            steps.add(measure(load, 4));
            added.forEach(w -> w.stop(Duration.ofSeconds(30)));
            awaitEveryWorkerAssigned(2);

            HistoryChecker.Figures figures = finishAndCheck("workers 1 -> 2 -> 4 -> 2", load);
            steps.forEach(step -> System.out.println("SCALE " + step));
            Files.writeString(FIGURES, String.join(System.lineSeparator(), steps) + System.lineSeparator(),
                    StandardOpenOption.APPEND);

            assertThat(figures.clean()).as(figures.toString()).isTrue();
        }
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    @Order(8)
    void replayFromOffsetZeroIntoAFreshSchemaIsChecksumEqualToLive() throws Exception {
        Cluster.ReplayRun replay = cluster.replay(Duration.ofMinutes(3));

        String summary = replay.output().lines().filter(l -> l.startsWith("  ") || l.startsWith("replay into"))
                .reduce("", (a, b) -> a + b + System.lineSeparator());
        System.out.print("REPLAY " + summary);
        Files.writeString(FIGURES, "replay after all scenarios:" + System.lineSeparator() + summary,
                StandardOpenOption.APPEND);
        assertThat(replay.exitCode()).as(replay.output()).isZero();
        assertThat(replay.output()).contains("result: EQUAL");
    }

    /** Applies for a while with {@code workers} workers: partitions each holds and operations each applied. */
    private String measure(WriteLoad load, int workers) {
        List<NodeProcess> running = cluster.workerNodes().stream().filter(NodeProcess::alive).toList();
        Map<String, Double> before = appliedOperations(running);
        long start = System.nanoTime();
        load.awaitAcknowledged(load.acknowledged() + 150, PHASE);
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Double> after = appliedOperations(running);
        Map<String, Set<Integer>> partitions = partitionsByWorker();
        StringBuilder line = new StringBuilder("%d worker(s):".formatted(workers));
        double total = 0;
        for (NodeProcess worker : running) {
            double rate = (after.get(worker.name()) - before.get(worker.name())) / seconds;
            total += rate;
            line.append(" %s partitions %s %.0f ops/s;".formatted(worker.name(),
                    partitions.getOrDefault(worker.name(), Set.of()), rate));
        }
        return line.append(" total %.0f ops/s over %.1f s".formatted(total, seconds)).toString();
    }

    private static Map<String, Double> appliedOperations(List<NodeProcess> workers) {
        Map<String, Double> applied = new TreeMap<>();
        for (NodeProcess worker : workers) {
            applied.put(worker.name(), Scrape.of(new Api(cluster.managementUrl(worker)))
                    .sum("docsync_apply_operations_total"));
        }
        return applied;
    }

    /** Assigned partitions per worker (spring-kafka may suffix the static member id per consumer thread). */
    private static Map<String, Set<Integer>> partitionsByWorker() {
        Map<String, Set<Integer>> byWorker = new TreeMap<>();
        log.assignmentByInstance(GROUP).forEach((member, partitions) -> {
            if (!partitions.isEmpty()) {
                byWorker.computeIfAbsent(member.replaceAll("^(worker-\\d+).*$", "$1"), w -> new TreeSet<>())
                        .addAll(partitions);
            }
        });
        return byWorker;
    }

    private static Set<Integer> allPartitions() {
        Set<Integer> all = new TreeSet<>();
        for (int p = 0; p < PARTITIONS; p++) {
            all.add(p);
        }
        return all;
    }

    /** The group has settled on {@code workers} workers, each with a share and all partitions owned. */
    private static void awaitEveryWorkerAssigned(int workers) {
        await(workers + " workers sharing every partition").atMost(PHASE).until(() -> {
            Map<String, Set<Integer>> byWorker = partitionsByWorker();
            Set<Integer> owned = new TreeSet<>();
            byWorker.values().forEach(owned::addAll);
            return byWorker.size() == workers && owned.equals(allPartitions());
        });
    }

    private static void awaitFullyReplicated() {
        await("every partition with 3 replicas in sync").atMost(PHASE).until(() -> log.fullyReplicated(3));
    }

    private HistoryChecker.Figures finishAndCheck(String scenario, WriteLoad load) throws Exception {
        load.finish(PHASE);
        HistoryChecker.Figures figures = new HistoryChecker(log, jdbc).check(load.acks());
        // A retry whose first attempt was committed after all (a 503 or a dropped connection with the outcome
        // unknown) is in the log twice and recognised by its Idempotency-Key: count those.
        Long recognised = jdbc.queryForObject("select count(*) from batch_results where duplicate_of is not null"
                + " and workspace_id = any(?)", Long.class, (Object) load.workspaces().toArray(String[]::new));
        String line = ("%s: acknowledged %d, applied %d, lost %d, duplicated %d, reordered %d, mismatched %d; "
                + "202->completed p50 %d ms, p99 %d ms, max %d ms; 503s %d over %.1f s (clients failed over %d x, "
                + "transport errors %d, retries found committed twice and applied once %d, polls of a batch whose "
                + "receipt was lost answered 404 %d)%s%n").formatted(scenario,
                figures.acknowledged(), figures.applied(),
                figures.lost(), figures.duplicated(), figures.reordered(), figures.mismatched(),
                load.latencyMillis(50), load.latencyMillis(99), load.maxLatencyMillis(), load.unavailableAnswers(),
                load.unavailableSpan().toMillis() / 1000.0, load.failovers(), load.transportErrors(), recognised,
                load.unknownBatchPolls(),
                figures.examples().isEmpty() ? "" : " e.g. " + figures.examples());
        System.out.print("CLUSTER " + line);
        Files.writeString(FIGURES, line, StandardOpenOption.APPEND);
        assertThat(load.unexpectedAnswers()).as(load.unexpectedSamples().toString()).isZero();
        return figures;
    }

    /** Every node's log, kept for a look after the run in {@code target/cluster-logs}. */
    private static void keepLogs() {
        Path logs = data.resolve("logs");
        Path kept = Path.of("target", "cluster-logs");
        try (DirectoryStream<Path> files = Files.newDirectoryStream(logs)) {
            Files.createDirectories(kept);
            for (Path file : files) {
                Files.copy(file, kept.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.err.println("could not keep the cluster's logs: " + e);
        }
    }

    /** The executable jar a module's build produced (the reactor packages it before this module's tests). */
    private static Path jar(String module) throws IOException {
        Path target = Path.of("..", module, "target").toAbsolutePath().normalize();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, module + "-*-exec.jar")) {
            for (Path jar : jars) {
                return jar;
            }
        }
        throw new IllegalStateException("no " + module + "-*-exec.jar in " + target + ": package the module first");
    }
}
