package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.EventHeaders;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationType;
import dev.docsync.contracts.OperationsTopic;
import dev.docsync.worker.replay.ReplayCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A rolling upgrade, as the worker sees it (DESIGN §5): a newer ingest's events may carry fields this worker does
 * not know (ignored), or be of a newer schema (its partition pauses, loudly, until a newer worker applies it; the
 * acknowledged batch is never rejected). A stack of its own, since a paused partition would hold up other tests.
 */
class RollingUpgradeIntegrationTest {

    private static Path data;
    private static LocalStack stack;
    private static LogInspector log;
    private static Api ingest;
    private static final DevTokens tokens = new DevTokens(TestStack.JWT_SECRET);

    @BeforeAll
    static void start() throws Exception {
        data = Files.createTempDirectory("docsync-upgrade-");
        stack = LocalStack.start(new LocalStack.Settings(data, 0, TestStack.JWT_SECRET, Map.of(
                "docsync.topic.partitions", String.valueOf(TestStack.PARTITIONS),
                "docsync.worker.concurrency", "2")));
        log = new LogInspector(stack.kafkaBootstrap(), OperationsTopic.DEFAULT_NAME);
        ingest = new Api("http://localhost:" + stack.httpPort());
    }

    @AfterAll
    static void stop() {
        if (log != null) {
            log.close();
        }
        if (stack != null) {
            stack.close();
        }
        TestStack.deleteQuietly(data);
    }

    @Test
    void anEventWithAFieldThisWorkerDoesNotKnowApplies() throws Exception {
        String ws = Batches.workspace("ws_extra_field");
        UUID batchId = UUID.randomUUID();
        ObjectNode event = event(OperationEvent.CURRENT_SCHEMA, batchId, ws, "doc");
        event.put("added_in_a_later_release", "ignored by this worker");
        event.putObject("another_one").put("nested", true);
        send(ws, batchId, event);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode result = poll(ws, batchId);
            assertThat(result.get("status").asString()).isEqualTo("completed");
            assertThat(result.get("successful").asInt()).as(result.toString()).isEqualTo(1);
        });
        assertThat(ingest.document(editor(ws), ws, "doc").status()).isEqualTo(200);
    }

    @Test
    void anEventOfANewerSchemaPausesItsPartitionUntilANewerWorkerAppliesIt() throws Exception {
        int partition = 2;
        String ws = PartitionProbe.workspaceOn(partition, "ws_newer");
        String neighbour = PartitionProbe.workspaceOn(5, "ws_neighbour");
        Api worker = new Api("http://localhost:" + LocalStack.managementPort(stack.worker()));
        UUID newer = UUID.randomUUID();
        send(ws, newer, event(2, newer, ws, "from-the-future"));
        Api.Response behind = ingest.postBatch(editor(ws), batch(ws, List.of(create("b", "behind", "Behind"))),
                Map.of("Prefer", "respond-async"));
        assertThat(behind.status()).isEqualTo(202);
        UUID behindId = UUID.fromString(behind.json().get("batch_id").asString());

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Api.Response readiness = worker.get(null, "/actuator/health/readiness");
            assertThat(readiness.status()).as(readiness.text()).isEqualTo(503);
            JsonNode consumers = readiness.json().get("components").get("consumers");
            assertThat(consumers.get("status").asString()).isEqualTo("DOWN");
            assertThat(consumers.toString()).contains(OperationsTopic.DEFAULT_NAME + "-" + partition).contains("schema 2");
        });
        Scrape scrape = Scrape.of(worker);
        assertThat(scrape.sum("docsync_apply_partitions_stopped",
                Map.of("partition", String.valueOf(partition), "reason", "newer_schema")))
                .as(scrape.namesLike("docsync_apply_partitions")).isEqualTo(1);
        // Other partitions keep applying; this one waits, and nothing of it is rejected.
        assertThat(ingest.postBatch(editor(neighbour), batch(neighbour, List.of(create("n", "n", "N")))).status())
                .isEqualTo(200);
        // Written past ingest (no receipt), the paused batch is unknown until applied: neither applied nor rejected.
        assertThat(ingest.get(editor(ws), "/api/v1/batches/" + newer).status()).isEqualTo(404);
        assertThat(poll(ws, behindId).get("status").asString()).isEqualTo("pending");

        // A replay by this worker cannot rebuild past the event either: it fails rather than skip it as unreadable.
        assertThatThrownBy(() -> stack.worker().getBean(ReplayCommand.class)
                .run(new ReplayCommand.Options(false, false)))
                .hasStackTraceContaining("event schema 2 is newer than this worker knows (1)");

        stack.restartWorker(Map.of("docsync.worker.highest-known-schema", "2"));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode result = poll(ws, newer);
            assertThat(result.get("status").asString()).isEqualTo("completed");
            assertThat(result.get("successful").asInt()).as(result.toString()).isEqualTo(1);
            JsonNode behindResult = poll(ws, behindId);
            assertThat(behindResult.get("status").asString()).isEqualTo("completed");
            assertThat(behindResult.get("successful").asInt()).as(behindResult.toString()).isEqualTo(1);
        });
        Api upgraded = new Api("http://localhost:" + LocalStack.managementPort(stack.worker()));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(upgraded.get(null, "/actuator/health/readiness").status()).isEqualTo(200));
        assertThat(ingest.document(editor(ws), ws, "from-the-future").status()).isEqualTo(200);
    }

    private static ObjectNode event(int schema, UUID batchId, String ws, String documentId) {
        OperationEvent event = new OperationEvent(OperationEvent.CURRENT_SCHEMA, batchId, ws, 0, 1, false, "u",
                Instant.now(), "c0", OperationType.CREATE, documentId, null, new DocumentData("T", "C", null));
        ObjectNode node = (ObjectNode) DocsyncJson.mapper().valueToTree(event);
        node.put("schema", schema);
        return node;
    }

    private static void send(String ws, UUID batchId, ObjectNode event) throws Exception {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(log.topic(), ws,
                DocsyncJson.mapper().writeValueAsBytes(event));
        record.headers().add(EventHeaders.BATCH_ID, batchId.toString().getBytes(StandardCharsets.UTF_8))
                .add(EventHeaders.SEQ, "0".getBytes(StandardCharsets.UTF_8))
                .add(EventHeaders.COUNT, "1".getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<String, byte[]> producer = log.plainProducer()) {
            producer.send(record).get();
        }
    }

    private static String editor(String ws) {
        return tokens.mint("u", Map.of(ws, "editor"), Duration.ofHours(1));
    }

    private static JsonNode poll(String ws, UUID batchId) {
        Api.Response response = ingest.get(editor(ws), "/api/v1/batches/" + batchId);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }
}
