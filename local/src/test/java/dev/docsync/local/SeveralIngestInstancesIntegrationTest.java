package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static dev.docsync.local.Batches.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two ingest instances and two apply-workers (separate Spring contexts, as separate services would be) on one
 * log and one database: each instance's synchronous callers get their results whichever worker applied them
 * (the apply transaction's signal reaches every instance), and a batch accepted by one is polled on the other.
 */
class SeveralIngestInstancesIntegrationTest {

    private static final TestStack stack = TestStack.get();
    private static final String GROUP = "docsync-apply";
    private static ConfigurableApplicationContext second;
    private static ConfigurableApplicationContext secondWorker;
    private static Api secondApi;

    @BeforeAll
    static void startSecondInstances() {
        second = stack.stack.startAnotherIngest(Map.of());
        secondApi = new Api("http://localhost:" + LocalStack.httpPort(second));
        secondWorker = stack.stack.startAnotherWorker(Map.of(
                "docsync.worker.instance-id", "second",
                // The broker's minimum: a static member that closes keeps its partitions until this runs out.
                "spring.kafka.consumer.properties.session.timeout.ms", "6000"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(workerPartitions())
                .as("both workers own partitions").containsOnlyKeys("local", "second")
                .allSatisfy((worker, partitions) -> assertThat(partitions).isNotEmpty()));
    }

    /** Leaves the shared stack as it found it: the first worker owns every partition again. */
    @AfterAll
    static void stopSecondInstances() {
        second.close();
        secondWorker.close();
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(workerPartitions())
                .containsOnlyKeys("local")
                .containsEntry("local", IntStream.range(0, TestStack.PARTITIONS).boxed().collect(Collectors.toSet())));
    }

    /** Partitions per worker instance ({@code local-0}, {@code local-1}, ... grouped as {@code local}). */
    private static Map<String, Set<Integer>> workerPartitions() {
        Map<String, Set<Integer>> byWorker = new TreeMap<>();
        stack.log.assignmentByInstance(GROUP).forEach((member, partitions) -> byWorker
                .computeIfAbsent(member.replaceFirst("-\\d+$", ""), w -> new TreeSet<>()).addAll(partitions));
        return byWorker;
    }

    private static double appliedBatches(ConfigurableApplicationContext worker) {
        return worker.getBean(MeterRegistry.class).find("docsync.apply.batches").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    @Test
    void batchesOnEveryPartitionAreAnsweredByEitherInstanceWhicheverWorkerAppliesThem() {
        Map<Integer, String> workspaceOnPartition = new TreeMap<>();
        while (workspaceOnPartition.size() < TestStack.PARTITIONS) {
            String ws = Batches.workspace("ws_scale");
            workspaceOnPartition.putIfAbsent(LogInspector.partitionOf(ws), ws);
        }
        double firstWorkerBefore = appliedBatches(stack.stack.worker());
        double secondWorkerBefore = appliedBatches(secondWorker);

        workspaceOnPartition.forEach((partition, ws) -> {
            String token = stack.editor("scaler", ws);
            Api created = partition % 2 == 0 ? stack.api : secondApi;
            Api updated = created == stack.api ? secondApi : stack.api;

            Api.Response create = created.postBatch(token, batch(ws, List.of(create("a", "doc", "v1"))));
            Api.Response update = updated.postBatch(token, batch(ws, List.of(update("b", "doc", 1L, "v2"))));

            assertThat(create.status()).as("create on partition %d", partition).isEqualTo(200);
            assertThat(create.json().get("results").get(0).get("version").asLong()).isEqualTo(1);
            assertThat(update.status()).as("update on partition %d", partition).isEqualTo(200);
            assertThat(update.json().get("results").get(0).get("status").asString()).isEqualTo("success");
            assertThat(update.json().get("results").get(0).get("version").asLong()).isEqualTo(2);
        });

        assertThat(appliedBatches(stack.stack.worker())).as("batches the first worker applied")
                .isGreaterThan(firstWorkerBefore);
        assertThat(appliedBatches(secondWorker)).as("batches the second worker applied")
                .isGreaterThan(secondWorkerBefore);
    }

    @Test
    void synchronousCallersOfEitherInstanceGetTheirResults() {
        String ws = Batches.workspace("ws_two");
        String token = stack.editor("twin", ws);

        Api.Response first = stack.api.postBatch(token, batch(ws, List.of(create("a", "doc", "From one"))));
        Api.Response other = secondApi.postBatch(token, batch(ws, List.of(update("b", "doc", 1L, "From two"))));

        assertThat(first.status()).isEqualTo(200);
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.json().get("results").get(0).get("version").asLong()).isEqualTo(2);
        assertThat(stack.api.document(token, ws, "doc").json().get("title").asString()).isEqualTo("From two");
    }

    @Test
    void aBatchAcceptedByOneInstanceIsPolledOnTheOther() {
        String ws = Batches.workspace("ws_two_poll");
        String token = stack.editor("twin", ws);

        Api.Response accepted = stack.api.postBatch(token, batch(ws, List.of(create("a", "doc", "Async"))),
                Map.of("Prefer", "respond-async"));

        assertThat(accepted.status()).isEqualTo(202);
        assertThat(secondApi.get(token, accepted.header("Location")).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                secondApi.get(token, accepted.header("Location")).json().get("status").asString())
                .isEqualTo("completed"));
    }
}
