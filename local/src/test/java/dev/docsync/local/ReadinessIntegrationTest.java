package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Readiness follows Kafka: with the broker stopped both services report not ready (503, {@code kafka} DOWN)
 * while staying alive, and they are ready again when it returns. A stack of its own, since it stops the broker.
 */
class ReadinessIntegrationTest {

    private static Path data;
    private static LocalStack stack;
    private static Api ingest;
    private static Api worker;

    @BeforeAll
    static void start() throws Exception {
        data = Files.createTempDirectory("docsync-readiness-");
        stack = LocalStack.start(new LocalStack.Settings(data, 0, TestStack.JWT_SECRET, Map.of(
                "docsync.topic.partitions", "2", "docsync.worker.concurrency", "1")));
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
    void readinessGoesDownWithKafkaAndUpWhenItReturns() {
        assertReady(ingest);
        assertReady(worker);

        stack.kafka().halt();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertNotReadyBecauseOfKafka(ingest);
                assertNotReadyBecauseOfKafka(worker);
            });
            assertThat(ingest.get(null, "/actuator/health/liveness").status()).isEqualTo(200);
            assertThat(worker.get(null, "/actuator/health/liveness").status()).isEqualTo(200);
        } finally {
            stack.kafka().resume();
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertReady(ingest);
            assertReady(worker);
        });
    }

    private static void assertReady(Api api) {
        Api.Response readiness = api.get(null, "/actuator/health/readiness");
        assertThat(readiness.status()).as(readiness.text()).isEqualTo(200);
        assertThat(readiness.json().get("status").asString()).isEqualTo("UP");
        assertThat(readiness.json().get("components").get("kafka").get("status").asString()).isEqualTo("UP");
        assertThat(readiness.json().get("components").get("db").get("status").asString()).isEqualTo("UP");
    }

    private static void assertNotReadyBecauseOfKafka(Api api) {
        Api.Response readiness = api.get(null, "/actuator/health/readiness");
        assertThat(readiness.status()).as(readiness.text()).isEqualTo(503);
        assertThat(readiness.json().get("components").get("kafka").get("status").asString()).isEqualTo("DOWN");
        assertThat(readiness.json().get("components").get("db").get("status").asString()).isEqualTo("UP");
    }
}
