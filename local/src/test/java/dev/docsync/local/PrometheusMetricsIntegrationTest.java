package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static dev.docsync.local.Batches.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * After a small load, {@code /actuator/prometheus} of the ingest-api and of the apply-worker (its own management
 * port, as when it runs as a service) expose docsync's metrics with the counts the load must have produced.
 * Counters are compared before and after: the stack is shared with the other test classes.
 */
class PrometheusMetricsIntegrationTest {

    private static final TestStack stack = TestStack.get();

    private final Api worker = new Api("http://localhost:" + LocalStack.managementPort(stack.stack.worker()));

    @Test
    void ingestAndWorkerExposeTheirMetricsAfterALoad() throws Exception {
        String ws = Batches.workspace("ws_metrics");
        String token = stack.editor("metered", ws);
        Scrape ingestBefore = Scrape.of(stack.api);
        Scrape workerBefore = Scrape.of(worker);

        // 200: three operations, one of them a conflict; 202 on request; 202 because the wait ran out.
        assertThat(stack.api.postBatch(token, batch(ws, List.of(create("a", "doc", "One")))).status()).isEqualTo(200);
        assertThat(stack.api.postBatch(token, batch(ws, List.of(create("b", "doc2", "Two"), update("c", "doc", 1L, "x"),
                update("d", "doc", 1L, "stale")))).status()).isEqualTo(200);
        assertThat(stack.api.postBatch(token, batch(ws, List.of(create("e", "doc3", "Async"))),
                Map.of("Prefer", "respond-async")).status()).isEqualTo(202);
        try (HangingTransaction hold = new HangingTransaction(stack.log, ws)) {
            assertThat(stack.api.postBatch(token, batch(ws, List.of(create("f", "doc4", "Late"))),
                    Map.of("Prefer", "wait=1")).status()).isEqualTo(202);
        }
        try (KafkaProducer<String, byte[]> producer = stack.log.plainProducer()) {
            producer.send(new ProducerRecord<>(stack.log.topic(), ws, "not an event".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }

        Scrape ingest = Scrape.of(stack.api);
        assertThat(delta(ingestBefore, ingest, "docsync_ingest_batches_total", Map.of("answer", "applied")))
                .isEqualTo(2);
        assertThat(delta(ingestBefore, ingest, "docsync_ingest_batches_total", Map.of("answer", "async")))
                .isEqualTo(1);
        assertThat(delta(ingestBefore, ingest, "docsync_ingest_batches_total", Map.of("answer", "wait_timeout")))
                .isEqualTo(1);
        assertThat(ingest.has("docsync_ingest_sync_waiting")).as(ingest.namesLike("docsync")).isTrue();
        assertThat(ingest.sum("http_server_requests_seconds_count", Map.of("uri", "/api/v1/documents/batch")))
                .isGreaterThanOrEqualTo(4);
        // Spring Security's per-filter observations are off (a few % of the CPU per request, for nobody).
        assertThat(ingest.namesLike("spring_security")).isEmpty();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Scrape after = Scrape.of(worker);
            assertThat(delta(workerBefore, after, "docsync_apply_batches_total", Map.of("outcome", "success")))
                    .as(after.namesLike("docsync")).isGreaterThanOrEqualTo(3);
            assertThat(delta(workerBefore, after, "docsync_apply_batches_total", Map.of("outcome", "partial")))
                    .isEqualTo(1);
            assertThat(delta(workerBefore, after, "docsync_apply_operations_total", Map.of("status", "success")))
                    .isGreaterThanOrEqualTo(5);
            assertThat(delta(workerBefore, after, "docsync_apply_operations_total", Map.of("status", "conflict")))
                    .isEqualTo(1);
            assertThat(delta(workerBefore, after, "docsync_apply_batch_size_operations_sum", Map.of()))
                    .isGreaterThanOrEqualTo(6);
            assertThat(delta(workerBefore, after, "docsync_apply_latency_seconds_count", Map.of()))
                    .isGreaterThanOrEqualTo(4);
            assertThat(after.has("docsync_apply_latency_seconds_bucket")).as("latency histogram").isTrue();
            assertThat(delta(workerBefore, after, "docsync_apply_transaction_seconds_count",
                    Map.of("outcome", "committed"))).isGreaterThanOrEqualTo(1);
            assertThat(delta(workerBefore, after, "docsync_apply_dead_letters_total", Map.of())).isEqualTo(1);
            for (int partition = 0; partition < TestStack.PARTITIONS; partition++) {
                assertThat(after.has("docsync_worker_lag_events", Map.of("partition", String.valueOf(partition))))
                        .as("lag of partition %d", partition).isTrue();
            }
        });
    }

    @Test
    void rateLimitRejectionsAreCounted() {
        ConfigurableApplicationContext limited = stack.stack.startAnotherIngest(Map.of(
                "docsync.rate-limit.requests-per-second", "1", "docsync.rate-limit.burst", "1"));
        try {
            Api api = new Api("http://localhost:" + LocalStack.httpPort(limited));
            String ws = Batches.workspace("ws_limited");
            String token = stack.editor("hasty", ws);

            List<Integer> statuses = List.of(api.document(token, ws, "x").status(), api.document(token, ws, "y").status(),
                    api.document(token, ws, "z").status());

            assertThat(statuses).contains(429);
            assertThat(Scrape.of(api).sum("docsync_ingest_rate_limited_total"))
                    .isEqualTo(statuses.stream().filter(s -> s == 429).count());
        } finally {
            limited.close();
        }
    }

    private static double delta(Scrape before, Scrape after, String name, Map<String, String> labels) {
        return after.sum(name, labels) - before.sum(name, labels);
    }
}
