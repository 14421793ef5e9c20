package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.docsync.contracts.OperationsTopic;
import dev.docsync.worker.consume.ConsumerFaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * An {@link Error} on an apply-worker consumer thread (an {@link OutOfMemoryError} in the apply, here thrown by the
 * {@link ConsumerFaults} hook) stops the worker's consumers: readiness goes DOWN at once, on the worker and on the
 * local-mode ingest, a metric counts it, and the consumers come back on their own. The partition that failed is held
 * back while the others apply again; once the fault is gone it applies too and readiness is UP again. A stack of its
 * own, since it stops the worker's consumers.
 */
class WorkerErrorRecoveryIntegrationTest {

    private static Path data;
    private static LocalStack stack;
    private static Api ingest;
    private static Api worker;
    private static final DevTokens tokens = new DevTokens(TestStack.JWT_SECRET);

    @BeforeAll
    static void start() throws Exception {
        data = Files.createTempDirectory("docsync-worker-error-");
        stack = LocalStack.start(new LocalStack.Settings(data, 0, TestStack.JWT_SECRET, Map.of(
                "docsync.topic.partitions", String.valueOf(TestStack.PARTITIONS),
                "docsync.worker.concurrency", "2",
                "docsync.worker.error-restart-initial-interval", "200ms",
                "docsync.worker.error-restart-max-interval", "2s")));
        ingest = new Api("http://localhost:" + stack.httpPort());
        worker = new Api("http://localhost:" + LocalStack.managementPort(stack.worker()));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        TestStack.deleteQuietly(data);
    }

    @Test
    void anErrorOnAConsumerThreadTakesReadinessDownAndTheConsumersComeBack() {
        String failing = PartitionProbe.workspaceOn(1, "ws_oom");
        String neighbour = PartitionProbe.workspaceOn(4, "ws_neighbour");
        assertThat(post(neighbour, "before").status()).isEqualTo(200);
        assertThat(worker.get(null, "/actuator/health/readiness").status()).isEqualTo(200);
        assertThat(ingest.get(null, "/actuator/health/readiness").status()).isEqualTo(200);
        double errorsBefore = Scrape.of(worker).sum("docsync_apply_consumer_errors_total");
        ConsumerFaults faults = stack.worker().getBean(ConsumerFaults.class);

        faults.failOn(failing, () -> new OutOfMemoryError("Java heap space (test fault)"));
        try {
            Api.Response stuck = ingest.postBatch(tokens.mint("u", Map.of(failing, "editor"), Duration.ofHours(1)),
                    batch(failing, List.of(create("a", "doc", "never while failing"))),
                    Map.of("Prefer", "respond-async"));
            assertThat(stuck.status()).isEqualTo(202);
            String batchId = stuck.json().get("batch_id").asString();

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode consumers = assertNotReady(worker, "consumers");
                assertThat(consumers.toString()).contains(OperationsTopic.DEFAULT_NAME + "-1").contains("OutOfMemoryError");
                assertNotReady(ingest, "applyWorker");
            });
            Scrape scrape = Scrape.of(worker);
            assertThat(scrape.sum("docsync_apply_consumer_errors_total", Map.of("error", "OutOfMemoryError")))
                    .isGreaterThanOrEqualTo(errorsBefore + 1);
            assertThat(scrape.sum("docsync_apply_partitions_stopped", Map.of("partition", "1")))
                    .as(scrape.namesLike("docsync_apply_partitions")).isEqualTo(1);

            // The consumers come back while the fault lasts: other partitions apply, the failing one is held back.
            Api.Response meanwhile = ingest.postBatch(
                    tokens.mint("u", Map.of(neighbour, "editor"), Duration.ofHours(1)),
                    batch(neighbour, List.of(create("m", null, "while failing"))), Map.of("Prefer", "respond-async"));
            String meanwhileId = meanwhile.json().get("batch_id").asString();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(poll(neighbour, meanwhileId).get("status").asString()).isEqualTo("completed"));
            assertThat(poll(neighbour, meanwhileId).get("successful").asInt()).isEqualTo(1);
            assertThat(poll(failing, batchId).get("status").asString()).isEqualTo("pending");
            assertNotReady(worker, "consumers");

            faults.clear();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(poll(failing, batchId).get("status").asString()).isEqualTo("completed"));
        } finally {
            faults.clear();
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertReady(worker, "consumers");
            assertReady(ingest, "applyWorker");
        });
        assertThat(post(failing, "after").status()).isEqualTo(200);
        assertThat(post(neighbour, "after").status()).isEqualTo(200);
        assertThat(Scrape.of(worker).sum("docsync_apply_partitions_stopped", Map.of("partition", "1"))).isZero();
    }

    private static Api.Response post(String workspace, String title) {
        return ingest.postBatch(tokens.mint("u", Map.of(workspace, "editor"), Duration.ofHours(1)),
                batch(workspace, List.of(create("c", null, title))));
    }

    private static JsonNode poll(String workspace, String batchId) {
        Api.Response response = ingest.get(tokens.mint("u", Map.of(workspace, "editor"), Duration.ofHours(1)),
                "/api/v1/batches/" + batchId);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }

    private static void assertReady(Api api, String component) {
        Api.Response readiness = api.get(null, "/actuator/health/readiness");
        assertThat(readiness.status()).as(readiness.text()).isEqualTo(200);
        assertThat(readiness.json().get("components").get(component).get("status").asString()).isEqualTo("UP");
    }

    private static JsonNode assertNotReady(Api api, String component) {
        Api.Response readiness = api.get(null, "/actuator/health/readiness");
        assertThat(readiness.status()).as(readiness.text()).isEqualTo(503);
        JsonNode node = readiness.json().get("components").get(component);
        assertThat(node).as(readiness.text()).isNotNull();
        assertThat(node.get("status").asString()).isEqualTo("DOWN");
        return node;
    }
}
