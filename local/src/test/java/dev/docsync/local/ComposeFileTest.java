package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        assertThat(services).containsOnlyKeys("kafka", "postgres", "ingest-api", "apply-worker");
        assertThat(service(services, "kafka").get("image").toString()).startsWith("apache/kafka:");
        assertThat(service(services, "postgres").get("image").toString()).startsWith("postgres:18");
        services.keySet().forEach(name -> assertThat(service(services, name)).as(name).containsKey("healthcheck"));
        for (String app : List.of("ingest-api", "apply-worker")) {
            Map<String, Object> service = service(services, app);
            assertThat((Map<String, Object>) service.get("deploy")).as(app).containsEntry("replicas", 2);
            Map<String, Map<String, Object>> dependsOn = (Map<String, Map<String, Object>>) service.get("depends_on");
            assertThat(dependsOn).as(app).containsOnlyKeys("kafka", "postgres");
            dependsOn.values().forEach(d -> assertThat(d).containsEntry("condition", "service_healthy"));
            assertThat((Map<String, Object>) service.get("environment")).as(app)
                    .containsKeys("DOCSYNC_KAFKA_BOOTSTRAP", "DOCSYNC_DB_URL", "DOCSYNC_DB_USER", "DOCSYNC_DB_PASSWORD");
        }
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
