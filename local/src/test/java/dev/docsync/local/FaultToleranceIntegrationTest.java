package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.docsync.contracts.OperationsTopic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * DESIGN §6 under faults, with real processes where a process dies: PostgreSQL, Kafka and the ingest-api run
 * in this JVM, every apply-worker is a JVM of its own that is SIGKILLed. Offline-first clients
 * ({@link WriteLoad}) push batches across many workspaces throughout, and afterwards {@link HistoryChecker}
 * reads the whole log and the projection: acknowledged = applied, and lost = duplicated = reordered =
 * mismatched = 0, or the test fails. Each test prints its figures (and appends them to
 * {@code target/fault-figures.txt}).
 */
@Execution(ExecutionMode.CONCURRENT) // beside the other classes: see junit-platform.properties
class FaultToleranceIntegrationTest {

    private static final int CLIENTS = 8;
    private static final Duration PHASE = Duration.ofSeconds(90);
    private static final Path FIGURES = Path.of("target", "fault-figures.txt");

    private static Path data;
    private static LocalStack stack;
    private static Api api;
    private static JdbcTemplate jdbc;
    private static LogInspector log;
    private static final DevTokens tokens = new DevTokens(TestStack.JWT_SECRET);

    /** The apply-worker every test starts with (static group member "w1"); tests that kill it start a new one. */
    private static WorkerProcess first;
    private final List<WorkerProcess> others = new ArrayList<>();
    private final Random random = new Random();

    @BeforeAll
    static void startStackWithoutWorker() throws IOException {
        data = Files.createTempDirectory("docsync-faults-");
        stack = LocalStack.startWithoutWorker(new LocalStack.Settings(data, 0, TestStack.JWT_SECRET, Map.of(
                "docsync.topic.partitions", String.valueOf(TestStack.PARTITIONS),
                "docsync.ingest.retry-after", "1s",
                "docsync.rate-limit.requests-per-second", "1000000",
                "docsync.rate-limit.burst", "1000000")));
        api = new Api("http://localhost:" + stack.httpPort());
        jdbc = TestStack.jdbc(stack.jdbcUrl(), stack.databaseUser());
        log = new LogInspector(stack.kafkaBootstrap(), OperationsTopic.DEFAULT_NAME);
        // A worker stopped cleanly archives its class data, which every later start maps (WorkerProcess): the
        // restarts the tests wait for take ~25 s on a loaded machine instead of ~60-90 s.
        worker("w1", "w1").stop();
        first = worker("w1", "w1");
    }

    @AfterAll
    static void stopStack() {
        if (first != null) {
            first.close();
        }
        if (log != null) {
            log.close();
        }
        if (stack != null) {
            stack.close();
        }
        TestStack.deleteQuietly(data);
    }

    @AfterEach
    void keepOnlyTheFirstWorker() {
        others.forEach(WorkerProcess::close);
        if (!first.alive()) {
            first = worker("w1", "w1");
        }
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void workerKilledAtRandomMomentsUnderLoad() throws Exception {
        try (WriteLoad load = new WriteLoad(api, tokens, "kill", CLIENTS).start()) {
            for (int kill = 0; kill < 3; kill++) {
                load.awaitAcknowledged(load.acknowledged() + 20 + random.nextInt(60), PHASE);
                first.kill();
                // Clients keep writing while no worker applies: their batches wait in the log.
                load.awaitBacklog(CLIENTS + random.nextInt(CLIENTS * (WriteLoad.WINDOW - 1)), PHASE);
                first = worker("w1", "w1");
            }
            load.awaitAcknowledged(load.acknowledged() + 40, PHASE);

            HistoryChecker.Figures figures = finishAndCheck("worker SIGKILLed 3 times", load);

            assertThat(figures.acknowledged()).isGreaterThan(100);
            assertThat(figures.clean()).as(figures.toString()).isTrue();
        }
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void aSecondWorkerJoinsAndLeavesMidLoad() throws Exception {
        try (WriteLoad load = new WriteLoad(api, tokens, "rebalance", CLIENTS).start()) {
            load.awaitAcknowledged(60, PHASE);
            WorkerProcess second = other("w2");
            load.awaitAcknowledged(load.acknowledged() + 60, PHASE);
            second.stop();
            load.awaitAcknowledged(load.acknowledged() + 40, PHASE);
            WorkerProcess third = other("w3");
            load.awaitAcknowledged(load.acknowledged() + 60, PHASE);
            third.kill(); // its partitions return to w1 when its session times out
            load.awaitAcknowledged(load.acknowledged() + 40, PHASE);

            HistoryChecker.Figures figures = finishAndCheck("second worker joins, leaves, another joins and is killed",
                    load);

            assertThat(figures.clean()).as(figures.toString()).isTrue();
        }
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void theBrokerStopsAndComesBackMidLoad() throws Exception {
        try (WriteLoad load = new WriteLoad(api, tokens, "broker", CLIENTS).start()) {
            load.awaitAcknowledged(60, PHASE);
            stack.kafka().halt();
            try {
                await("clients turned away with 503").atMost(PHASE).until(() -> load.unavailableAnswers() >= CLIENTS);
            } finally {
                stack.kafka().resume();
            }
            load.awaitAcknowledged(load.acknowledged() + 60, PHASE);

            HistoryChecker.Figures figures = finishAndCheck("broker stopped and restarted", load);

            assertThat(load.unavailableWithoutRetryAfter()).isZero();
            assertThat(figures.clean()).as(figures.toString()).isTrue();
        }
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void postgresConnectionsAreKilledMidLoad() throws Exception {
        int killed = 0;
        try (WriteLoad load = new WriteLoad(api, tokens, "pgkill", CLIENTS).start()) {
            for (int round = 0; round < 5; round++) {
                load.awaitAcknowledged(load.acknowledged() + 20 + random.nextInt(30), PHASE);
                killed += jdbc.queryForObject("""
                        select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity
                        where datname = current_database() and pid <> pg_backend_pid()) t""", Integer.class);
            }
            load.awaitAcknowledged(load.acknowledged() + 40, PHASE);

            HistoryChecker.Figures figures = finishAndCheck("PostgreSQL connections terminated 5 times (" + killed
                    + " sessions)", load);

            assertThat(killed).isGreaterThan(5);
            assertThat(figures.clean()).as(figures.toString()).isTrue();
        }
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void writesAreAcceptedWhilePostgresIsDownAndApplyWhenItReturns() throws Exception {
        String ws = Batches.workspace("pgdown");
        String token = tokens.mint("pgdown", Map.of(ws, "editor"), Duration.ofHours(1));
        Api.Response async;
        Api.Response sync;
        Api.Response poll;
        stack.postgres().halt();
        try {
            async = api.postBatch(token, WriteLoad.body(ws, 0), Map.of("Prefer", "respond-async"));
            sync = api.postBatch(token, WriteLoad.body(ws, 1), Map.of("Prefer", "wait=1"));
            poll = api.get(token, "/api/v1/batches/" + async.json().get("batch_id").asString());
        } finally {
            stack.postgres().resume();
        }

        assertThat(async.status()).isEqualTo(202);
        assertThat(sync.status()).isEqualTo(202);
        assertThat(poll.status()).isEqualTo(503);
        assertThat(poll.header("Retry-After")).isNotNull();
        for (Api.Response accepted : List.of(async, sync)) {
            await("batch applied once PostgreSQL is back").atMost(PHASE).untilAsserted(() -> {
                Api.Response done = api.get(token, accepted.header("Location"));
                assertThat(done.status()).isEqualTo(200);
                assertThat(done.json().get("status").asString()).isEqualTo("completed");
                assertThat(done.json().get("successful").asInt()).isEqualTo(WriteLoad.OPERATIONS_PER_BATCH);
            });
        }
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void aRangeOfAppliedEventsProducedAgainAppliesNothingTwice() throws Exception {
        try (WriteLoad load = new WriteLoad(api, tokens, "dupes", CLIENTS).start()) {
            load.awaitAcknowledged(120, PHASE);
            load.finish(PHASE);
            Set<String> workspaces = new HashSet<>(load.workspaces());
            List<ConsumerRecord<String, byte[]>> applied = log.committedRecords(workspaces::contains);
            long historyBefore = countFor("document_versions", workspaces);
            long resultsBefore = countFor("batch_results", workspaces);

            try (KafkaProducer<String, byte[]> producer = log.plainProducer()) {
                for (ConsumerRecord<String, byte[]> record : applied) {
                    producer.send(new ProducerRecord<>(record.topic(), record.partition(), record.key(),
                            record.value(), record.headers()));
                }
                producer.flush();
            }
            awaitWorkerAtLogEnd(workspaces);

            HistoryChecker.Figures figures = check(applied.size() + " applied events produced again", load);

            assertThat(countFor("document_versions", workspaces)).isEqualTo(historyBefore);
            assertThat(countFor("batch_results", workspaces)).isEqualTo(resultsBefore);
            assertThat(figures.clean()).as(figures.toString()).isTrue();
        }
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void malformedEventsGoToTheDeadLetterTopicAndTheirPartitionsKeepApplying() throws Exception {
        try (WriteLoad load = new WriteLoad(api, tokens, "poison", CLIENTS).start()) {
            load.awaitAcknowledged(40, PHASE);
            Set<String> markers = new HashSet<>();
            try (KafkaProducer<String, byte[]> producer = log.plainProducer()) {
                for (String workspace : load.workspaces()) {
                    String marker = "{not an event " + UUID.randomUUID();
                    markers.add(marker);
                    producer.send(new ProducerRecord<>(log.topic(), workspace, marker.getBytes(StandardCharsets.UTF_8)));
                }
                producer.flush();
            }
            load.awaitAcknowledged(load.acknowledged() + 80, PHASE);

            HistoryChecker.Figures figures = finishAndCheck(markers.size() + " malformed events in the log", load);

            assertThat(figures.clean()).as(figures.toString()).isTrue();
            await("malformed events in the dead-letter topic").atMost(PHASE)
                    .until(() -> deadLetterValues().containsAll(markers));
        }
    }

    /** Another worker, a dynamic group member: its joining and leaving rebalance the group. */
    private WorkerProcess other(String name) {
        WorkerProcess worker = worker(name, null);
        others.add(worker);
        return worker;
    }

    private static WorkerProcess worker(String name, String instanceId) {
        return WorkerProcess.start(stack, name, instanceId, Map.of(
                "docsync.topic.partitions", String.valueOf(TestStack.PARTITIONS),
                "docsync.worker.concurrency", "3",
                "docsync.worker.retry-max-interval", "1s",
                // A killed dynamic member's partitions move on after this long (the broker's minimum).
                "spring.kafka.consumer.properties.session.timeout.ms", "6000"));
    }

    private HistoryChecker.Figures finishAndCheck(String fault, WriteLoad load) throws Exception {
        load.finish(PHASE);
        return check(fault, load);
    }

    private HistoryChecker.Figures check(String fault, WriteLoad load) throws IOException {
        HistoryChecker.Figures figures = new HistoryChecker(log, jdbc).check(load.acks());
        String line = "%s: %s; %s; 503s %d, transport errors %d, unexpected %d %s%n".formatted(fault, figures,
                load.latencySummary(), load.unavailableAnswers(), load.transportErrors(), load.unexpectedAnswers(),
                load.unexpectedSamples());
        System.out.print("FAULT " + line);
        Files.writeString(FIGURES, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        assertThat(load.unexpectedAnswers()).as(load.unexpectedSamples().toString()).isZero();
        return figures;
    }

    /**
     * The worker's stored positions have reached the end of the workspaces' partitions (whose last records are
     * plain ones, so the end is the next record offset, not past a transaction marker).
     */
    private void awaitWorkerAtLogEnd(Set<String> workspaces) {
        await("worker positions at the end of the log").atMost(PHASE).until(() -> {
            Map<Integer, Long> ends = new java.util.HashMap<>(log.endOffsets());
            ends.keySet().retainAll(workspaces.stream().map(LogInspector::partitionOf).toList());
            Map<Integer, Long> stored = new java.util.HashMap<>();
            jdbc.query("select partition, next_offset from consumer_offsets where topic = ?",
                    rs -> {
                        stored.put(rs.getInt(1), rs.getLong(2));
                    }, log.topic());
            return ends.entrySet().stream().allMatch(e -> stored.getOrDefault(e.getKey(), 0L) >= e.getValue());
        });
    }

    private long countFor(String table, Set<String> workspaces) {
        return workspaces.stream().mapToLong(ws -> jdbc.queryForObject(
                "select count(*) from " + table + " where workspace_id = ?", Long.class, ws)).sum();
    }

    private Set<String> deadLetterValues() {
        Set<String> values = new HashSet<>();
        try (LogInspector deadLetters = new LogInspector(stack.kafkaBootstrap(), log.topic() + "-dlt")) {
            deadLetters.committedRecords(key -> true)
                    .forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
        }
        return values;
    }
}
