package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.docsync.worker.consume.ConsumerFaults;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A partition whose apply keeps failing (a transient failure) backs off, paused, and retries: it is not the consumer
 * thread that waits, so the other partitions of that consumer keep applying at once, and the failing one applies as
 * soon as the failure ends. (Partitions 0 and 1 share a consumer thread on the test stack: 6 partitions, 2 threads.)
 */
class ApplyBackOffIntegrationTest {

    private final TestStack stack = TestStack.get();
    private final Api worker = new Api("http://localhost:" + LocalStack.managementPort(stack.stack.worker()));

    private double failedTransactions() {
        return Scrape.of(worker).sum("docsync_apply_transaction_seconds_count", Map.of("outcome", "failed"));
    }

    @Test
    void aPartitionBackingOffDoesNotHoldBackTheOtherPartitionsOfItsConsumer() {
        String failing = PartitionProbe.workspaceOn(0, "ws_backoff");
        String neighbour = PartitionProbe.workspaceOn(1, "ws_backoff_neighbour");
        String failingToken = stack.editor("b", failing);
        String neighbourToken = stack.editor("n", neighbour);
        assertThat(stack.api.postBatch(neighbourToken, batch(neighbour, List.of(create("w", null, "warm")))).status())
                .isEqualTo(200);
        ConsumerFaults faults = stack.stack.worker().getBean(ConsumerFaults.class);
        double failedBefore = failedTransactions();

        faults.failTransientlyOn(failing, () -> new IllegalStateException("transient (test fault)"));
        try {
            Api.Response stuck = stack.api.postBatch(failingToken, batch(failing, List.of(create("a", "doc", "late"))),
                    Map.of("Prefer", "respond-async"));
            assertThat(stuck.status()).isEqualTo(202);
            // Once it failed 6 times (back-offs of 200, 400, 800, 1600, 3200 ms), the next back-offs are 6.4 s and
            // longer: a consumer thread that waited them out itself would hold a neighbour's batch that long.
            await().atMost(Duration.ofSeconds(40))
                    .untilAsserted(() -> assertThat(failedTransactions()).isGreaterThanOrEqualTo(failedBefore + 6));

            for (int i = 0; i < 3; i++) {
                long started = System.nanoTime();
                Api.Response applied = stack.api.postBatch(neighbourToken,
                        batch(neighbour, List.of(create("m" + i, null, "meanwhile " + i))));
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                assertThat(applied.status()).isEqualTo(200);
                assertThat(took).as("a neighbour's batch while partition 0 backs off").isLessThan(Duration.ofSeconds(3));
            }
            String batchId = stuck.json().get("batch_id").asString();
            assertThat(stack.api.get(failingToken, "/api/v1/batches/" + batchId).json().get("status").asString())
                    .isEqualTo("pending");

            faults.clear();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    stack.api.get(failingToken, "/api/v1/batches/" + batchId).json().get("status").asString())
                    .isEqualTo("completed"));
        } finally {
            faults.clear();
        }
        assertThat(stack.api.postBatch(failingToken, batch(failing, List.of(create("b", null, "after")))).status())
                .isEqualTo(200);
    }
}
