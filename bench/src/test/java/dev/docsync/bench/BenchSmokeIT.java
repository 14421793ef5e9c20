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
        for (String field : new String[] {"startup_millis", "seed", "batch_speedup", "batch10_ops", "batch10_p50",
                "closed_loop", "open_loop", "sustained", "baseline", "replay", "memory", "machine", "settings"}) {
            assertThat(results.has(field)).as(field).isTrue();
        }
        assertThat(results.get("closed_loop")).hasSize(2);
        JsonNode firstStep = results.get("open_loop").get(0).get("runs").get(0);
        assertThat(firstStep.get("ops").get("success").asLong()).as("operations counted by their status").isPositive();
        assertThat(firstStep.get("lag_end").asLong()).as("the worker's lag gauge was read").isNotNegative();
        // Whether a short smoke run gets far enough to send stale updates depends on the machine's speed; that
        // every status was the planned one (each stale update a conflict) does not.
        for (JsonNode level : results.get("closed_loop")) {
            for (JsonNode run : level.get("runs")) {
                assertThat(run.get("ops").get("unexpected").asLong()).as("statuses the mix did not plan").isZero();
            }
        }
        assertThat(firstStep.get("ops").get("unexpected").asLong()).as("statuses the mix did not plan").isZero();
        assertThat(results.get("baseline").get("cells")).hasSize(6);
        assertThat(results.get("baseline").get("best").get("median").asDouble()).isPositive();
        assertThat(results.get("replay").get(0).get("events").asLong()).isPositive();
        assertThat(results.get("memory").get("postgres_peak_pss_mi_b").asLong()).isPositive();
        assertThat(results.get("seed").get(0).get("singles10").get("count").asLong()).isEqualTo(2);
        assertThat(results.get("batch10_stamp_to_apply").get(0).get("count").asLong())
                .as("each timed 10-op batch's stamp-to-apply time was read back").isEqualTo(5);
        assertThat(Files.readString(out.resolve("results.md"))).contains("| sustained open loop vs strong baseline |");
        JsonNode wayBack = DocsyncJson.mapper().readTree(out.resolve("way-back.json").toFile());
        assertThat(wayBack.get("before").get("documents").asInt()).isEqualTo(300);
        assertThat(wayBack.get("after").get("documents").asInt()).isEqualTo(300);
        assertThat(wayBack.get("after").get("requests").asInt()).isLessThan(wayBack.get("before").get("requests").asInt());
        assertThat(wayBack.get("live").get("p50_ms").asDouble()).as("every write's event arrived").isLessThan(10_000);
        assertThat(Files.readString(out.resolve("results.html"))).contains("new Chart(", "Chart.js",
                "getElementById('open')");
    }
}
