package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static dev.docsync.local.Batches.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.ingest.IngestApplication;
import dev.docsync.worker.WorkerApplication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The core batch flow against containers instead of the embedded servers: the official Kafka image (KRaft)
 * and PostgreSQL 18, with the apply-worker and the ingest-api as separate Spring contexts configured like
 * services. Only in the {@code testcontainers} Maven profile; disabled (reported as skipped) without Docker.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainersBatchFlowIntegrationTest {

    private static final String SECRET = "containers-test-secret-of-at-least-32-bytes";

    @Container
    static final KafkaContainer kafka = new KafkaContainer("apache/kafka:4.1.2")
            .withEnv("KAFKA_MESSAGE_MAX_BYTES", "16777216")
            .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
            .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1");

    @Container
    static final PostgreSQLContainer postgres = new PostgreSQLContainer("postgres:18");

    private static ConfigurableApplicationContext worker;
    private static ConfigurableApplicationContext ingest;
    private static Api api;

    @BeforeAll
    static void startServices() {
        Map<String, String> common = Map.of(
                "spring.datasource.url", postgres.getJdbcUrl(),
                "spring.datasource.username", postgres.getUsername(),
                "spring.datasource.password", postgres.getPassword(),
                "spring.kafka.bootstrap-servers", kafka.getBootstrapServers(),
                "docsync.topic.partitions", "3");
        worker = new SpringApplicationBuilder(WorkerApplication.class)
                .properties(Map.of("spring.config.name", WorkerApplication.CONFIG_NAME))
                .run(arguments(common, Map.of("server.port", "0", "docsync.worker.instance-id", "containers")));
        ingest = new SpringApplicationBuilder(IngestApplication.class)
                .properties(Map.of("spring.config.name", IngestApplication.CONFIG_NAME))
                .run(arguments(common, Map.of("server.port", "0", "docsync.jwt.secret", SECRET)));
        api = new Api("http://localhost:" + LocalStack.httpPort(ingest));
    }

    @AfterAll
    static void stopServices() {
        if (ingest != null) {
            ingest.close();
        }
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void aSynchronousBatchIsAppliedAndReadBack() {
        String ws = Batches.workspace("ws_containers");
        String token = new DevTokens(SECRET).mint("boxed", Map.of(ws, "editor"), Duration.ofHours(1));

        Api.Response created = api.postBatch(token, batch(ws, List.of(create("a", "doc", "In a container"))));
        Api.Response updated = api.postBatch(token, batch(ws, List.of(update("b", "doc", 1L, "Still boxed"),
                update("c", "doc", 1L, "Stale"))));

        assertThat(created.status()).as(created.text()).isEqualTo(200);
        assertThat(updated.status()).as(updated.text()).isEqualTo(200);
        assertThat(updated.json().get("results").get(0).get("status").asString()).isEqualTo("success");
        assertThat(updated.json().get("results").get(1).get("status").asString()).isEqualTo("conflict");
        Api.Response document = api.document(token, ws, "doc");
        assertThat(document.json().get("title").asString()).isEqualTo("Still boxed");
        assertThat(document.header("ETag")).isEqualTo("\"2\"");
    }

    private static String[] arguments(Map<String, String> common, Map<String, String> specific) {
        List<String> args = new ArrayList<>();
        common.forEach((key, value) -> args.add("--" + key + "=" + value));
        specific.forEach((key, value) -> args.add("--" + key + "=" + value));
        return args.toArray(String[]::new);
    }
}
