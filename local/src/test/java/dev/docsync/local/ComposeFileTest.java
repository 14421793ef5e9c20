package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The root {@code docker-compose.yml}, checked by a real compose implementation ({@code docker-compose config},
 * Debian's docker-compose 1.29, which needs no Docker engine), then its resolved form is read for what the
 * deployment promises: both apps replicated, health checks everywhere, apps started only on healthy Kafka and
 * PostgreSQL. Skipped, saying so, where no validator is installed.
 */
class ComposeFileTest {

    private static final List<String> KAFKA_SERVICES = List.of("kafka-1", "kafka-2", "kafka-3");
    private static final Path COMPOSE_FILE = Path.of("..", "docker-compose.yml").toAbsolutePath().normalize();

    @Test
    @SuppressWarnings("unchecked")
    void composeFileIsValidAndStartsTheAppsOnHealthyDependencies() throws Exception {
        String command = System.getProperty("docsync.compose.command", "docker-compose");
        String validator = findOnPath(command);
        assumeTrue(validator != null, command + " is not installed (apt-get install docker-compose): "
                + "the compose file was not validated");
        assertThat(COMPOSE_FILE).exists();

        ProcessBuilder process = new ProcessBuilder(validator, "-f", COMPOSE_FILE.toString(), "config")
                .redirectErrorStream(true);
        process.environment().put("DOCSYNC_JWT_SECRET", "a-secret-for-validation-only-of-32-bytes");
        Process run = process.start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(output).isZero();

        Map<String, Object> services = (Map<String, Object>) new Yaml().<Map<String, Object>>load(output).get("services");
        assertThat(services).containsOnlyKeys("kafka-1", "kafka-2", "kafka-3", "postgres", "ingest-api", "apply-worker");
        for (String kafka : KAFKA_SERVICES) {
            assertThat(service(services, kafka).get("image").toString()).startsWith("apache/kafka:");
        }
        assertThat(service(services, "postgres").get("image").toString()).startsWith("postgres:18");
        services.keySet().forEach(name -> assertThat(service(services, name)).as(name).containsKey("healthcheck"));
        for (String app : List.of("ingest-api", "apply-worker")) {
            Map<String, Object> service = service(services, app);
            assertThat((Map<String, Object>) service.get("deploy")).as(app).containsEntry("replicas", 2);
            Map<String, Map<String, Object>> dependsOn = (Map<String, Map<String, Object>>) service.get("depends_on");
            assertThat(dependsOn).as(app).containsOnlyKeys("kafka-1", "kafka-2", "kafka-3", "postgres");
            dependsOn.values().forEach(d -> assertThat(d).containsEntry("condition", "service_healthy"));
            assertThat((Map<String, Object>) service.get("environment")).as(app)
                    .containsKeys("DOCSYNC_KAFKA_BOOTSTRAP", "DOCSYNC_DB_URL", "DOCSYNC_DB_USER", "DOCSYNC_DB_PASSWORD");
        }
    }

    /**
     * The compose file and {@code ./run-cluster} describe one topology: every Kafka node carries exactly
     * {@link ClusterTopology#brokerSettings()} (plus what only names the node and its addresses), the apps carry
     * {@link ClusterTopology#appEnvironment()} and the worker settings, the replica counts and the Kafka version
     * match. Reads the file itself (SnakeYAML resolves its anchors), so it runs without a validator too.
     */
    @Test
    @SuppressWarnings("unchecked")
    void composeFileDescribesTheSameTopologyAsRunCluster() throws Exception {
        Map<String, Object> services = (Map<String, Object>) new Yaml()
                .<Map<String, Object>>load(Files.readString(COMPOSE_FILE)).get("services");

        Set<String> nodeOnly = Set.of("KAFKA_NODE_ID", "KAFKA_LISTENERS", "KAFKA_ADVERTISED_LISTENERS",
                "KAFKA_CONTROLLER_QUORUM_VOTERS", "KAFKA_LOG_DIRS", "KAFKA_HEAP_OPTS");
        Map<String, String> expected = new TreeMap<>();
        ClusterTopology.brokerSettings().forEach((key, value) ->
                expected.put("KAFKA_" + key.toUpperCase(Locale.ROOT).replace('.', '_'), value));
        assertThat(KAFKA_SERVICES).hasSize(ClusterTopology.KAFKA_NODES);
        for (String kafka : KAFKA_SERVICES) {
            Map<String, Object> service = service(services, kafka);
            assertThat(service.get("image")).isEqualTo("apache/kafka:" + ClusterTopology.KAFKA_VERSION);
            Map<String, String> settings = new TreeMap<>();
            ((Map<String, Object>) service.get("environment")).forEach((key, value) -> {
                if (key.startsWith("KAFKA_") && !nodeOnly.contains(key)) {
                    settings.put(key, String.valueOf(value));
                }
            });
            assertThat(settings).as(kafka).isEqualTo(expected);
        }
        // The nodes run the Kafka this build ships (the one ./run-cluster starts).
        assertThat(org.apache.kafka.common.utils.AppInfoParser.getVersion()).isEqualTo(ClusterTopology.KAFKA_VERSION);

        Map<String, Object> ingest = (Map<String, Object>) service(services, "ingest-api").get("environment");
        Map<String, Object> worker = (Map<String, Object>) service(services, "apply-worker").get("environment");
        for (Map<String, Object> app : List.of(ingest, worker)) {
            ClusterTopology.appEnvironment().forEach((key, value) ->
                    assertThat(String.valueOf(app.get(key))).as(key).isEqualTo(value));
            assertThat(app.get("DOCSYNC_KAFKA_BOOTSTRAP").toString().split(",")).hasSize(ClusterTopology.KAFKA_NODES);
        }
        ClusterTopology.workerEnvironment().forEach((key, value) ->
                assertThat(String.valueOf(worker.get(key))).as(key).isEqualTo(value));
        assertThat((Map<String, Object>) service(services, "ingest-api").get("deploy"))
                .containsEntry("replicas", ClusterTopology.INGEST_INSTANCES);
        assertThat((Map<String, Object>) service(services, "apply-worker").get("deploy"))
                .containsEntry("replicas", ClusterTopology.WORKER_INSTANCES);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(Map<String, Object> services, String name) {
        return (Map<String, Object>) services.get(name);
    }

    private static String findOnPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String directory : path.split(File.pathSeparator)) {
            Path candidate = Path.of(directory, command);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
