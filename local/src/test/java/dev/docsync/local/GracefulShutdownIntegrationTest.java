package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Stopping an ingest instance while a synchronous caller waits for its batch: the batch is already durable,
 * so the caller is answered 202 + Location at once (not after its wait runs out, not with an error), and the
 * batch is applied and pollable afterwards.
 */
class GracefulShutdownIntegrationTest {

    private static final TestStack stack = TestStack.get();

    @Test
    void aWaitingCallerIsAnsweredAcceptedWithLocationWhenTheInstanceStops() throws Exception {
        String ws = Batches.workspace("ws_shutdown");
        String token = stack.editor("leaver", ws);
        ConfigurableApplicationContext leaving = stack.stack.startAnotherIngest(Map.of());
        Api api = new Api("http://localhost:" + LocalStack.httpPort(leaving));
        MeterRegistry metrics = leaving.getBean(MeterRegistry.class);
        String location;

        try (HangingTransaction hold = new HangingTransaction(stack.log, ws)) {
            // The partition is held back, so the batch cannot apply while its caller waits (up to 60 s).
            CompletableFuture<Api.Response> waiting = CompletableFuture.supplyAsync(() -> api.postBatch(token,
                    batch(ws, List.of(create("a", "doc", "Before shutdown"))), Map.of("Prefer", "wait=60")),
                    task -> Thread.ofVirtual().start(task));
            await().atMost(Duration.ofSeconds(20)).until(
                    () -> metrics.get("docsync.ingest.sync.waiting").gauge().value() == 1.0);

            long closing = System.nanoTime();
            CompletableFuture<Void> closed = CompletableFuture.runAsync(leaving::close,
                    task -> Thread.ofPlatform().start(task));
            Api.Response response = waiting.get(20, TimeUnit.SECONDS);
            closed.get(30, TimeUnit.SECONDS);

            assertThat(response.status()).isEqualTo(202);
            assertThat(response.header("Location")).matches("/api/v1/batches/[0-9a-f-]{36}");
            assertThat(response.json().get("status").asString()).isEqualTo("pending");
            assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(20));
            location = response.header("Location");
        } finally {
            if (leaving.isActive()) {
                leaving.close();
            }
        }

        // The hold is released: the batch the caller was told about applies, and any instance can poll it.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                stack.api.get(token, location).json().get("status").asString()).isEqualTo("completed"));
    }
}
