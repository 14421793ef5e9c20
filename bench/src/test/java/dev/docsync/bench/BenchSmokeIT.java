package dev.docsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.contracts.DocsyncJson;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A short run of the real bench, so it cannot rot: it must produce every result, whatever the timings. */
class BenchSmokeIT {

    @Test
    void aSmokeRunProducesEveryScenariosResults() throws Exception {
        Path out = Files.createTempDirectory("docsync-bench-results-");

        Bench.main(new String[] {"--smoke", "--out", out.toString(), "--jar",
                Path.of("..", "local", "target", "docsync-local.jar").toString()});

        JsonNode results = DocsyncJson.mapper().readTree(out.resolve("results.json").toFile());
        for (String field : new String[] {"startup_millis", "singles10", "batch_of10", "batch10_ops", "throughput",
                "baseline", "replay", "memory", "machine", "settings"}) {
            assertThat(results.has(field)).as(field).isTrue();
        }
        assertThat(results.get("throughput")).hasSize(2);
        assertThat(results.get("replay").get("events").asLong()).isPositive();
        assertThat(results.get("baseline").get("ops_per_second").asDouble()).isPositive();
        assertThat(results.get("singles10").get("count").asLong()).isEqualTo(3);
        assertThat(Files.readString(out.resolve("results.md"))).contains("| batch of 10 vs 10 singles |");
        assertThat(Files.readString(out.resolve("results.html"))).contains("new Chart(", "Chart.js");
    }
}
