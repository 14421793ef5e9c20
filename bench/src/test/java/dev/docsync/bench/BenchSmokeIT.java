package dev.docsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.contracts.DocsyncJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A short run of the real bench, so it cannot rot: it must produce every result, whatever the timings. */
class BenchSmokeIT {

    @Test
    void aSmokeRunProducesEveryScenariosResults() throws Exception {
        Path out = Files.createTempDirectory("docsync-bench-results-");

        Set<Path> stacksBefore = stackDirectories();
        long started = System.nanoTime();
        Bench.main(new String[] {"--smoke", "--out", out.toString(), "--jar",
                Path.of("..", "local", "target", "docsync-local.jar").toString()});
        System.out.printf("[bench] the smoke run took %.1f s%n", (System.nanoTime() - started) / 1e9);
        assertThat(stackDirectories()).as("the stacks' data directories (a full run leaves 5-8 GB in one) are deleted")
                .isSubsetOf(stacksBefore);

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
        assertThat(wayBack.get("after_runs")).hasSize(1);
        assertThat(wayBack.get("live_runs")).hasSize(1);
        assertThat(Files.readString(out.resolve("results.md"))).as("the way back's rows in the §8 table")
                .contains("| bootstrap of a new client, 300 documents", "| live: the same (p99) |",
                        "| live: heap per idle stream");
        assertMergeScenarios(results.get("merges"), out);
    }

    private static Set<Path> stackDirectories() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(p -> p.getFileName().toString().startsWith("docsync-bench-")
                    && !p.getFileName().toString().startsWith("docsync-bench-results-")).collect(Collectors.toSet());
        }
    }

    /** The merge scenarios (issue 23): every planned merge answered merged, both writers' edits kept, each bound. */
    private static void assertMergeScenarios(JsonNode merges, Path out) throws Exception {
        JsonNode cost = merges.get("merged_vs_plain").get(0);
        assertThat(cost.get("merged_operations").asLong()).as("merged ops (10 per timed and warm-up round)")
                .isEqualTo(30);
        assertThat(cost.get("unexpected").asLong()).as("statuses other than merged / success, or merges lacking"
                + " an edit").isZero();
        assertThat(cost.get("plain").get("count").asLong()).isEqualTo(2);
        assertThat(cost.get("merged").get("count").asLong()).isEqualTo(2);
        assertThat(merges.get("p50_ratio").get("median").asDouble()).isPositive();
        JsonNode writers = merges.get("two_writers").get(0);
        assertThat(writers.get("operations").asLong()).isPositive();
        assertThat(writers.get("merged").asLong() + writers.get("merge_conflicts").asLong())
                .as("two writers on 5 documents meet stale versions").isPositive();
        assertThat(writers.get("other").asLong()).as("statuses other than success / merged / merge_conflict").isZero();
        assertThat(writers.get("lost_edits").asLong()).as("merged states lacking the writer's own edit").isZero();
        JsonNode pathological = merges.get("pathological");
        assertThat(pathological).hasSize(3);
        for (JsonNode p : pathological) {
            assertThat(p.get("within_bound").asBoolean()).as(p.toString()).isTrue();
        }
        assertThat(pathological.get(0).get("code").asString()).isEqualTo("merge_conflict");
        assertThat(pathological.get(0).get("message").asString()).contains("bytes");
        assertThat(pathological.get(1).get("code").asString()).isEqualTo("merge_conflict");
        assertThat(pathological.get(1).get("message").asString()).contains("lines");
        assertThat(Files.readString(out.resolve("merge.md"))).contains("## Two writers on the same documents");
        assertThat(Files.readString(out.resolve("results.md"))).contains("| merged vs plain update, 10-op batches",
                "| pathological merge input, ", "## Merged vs plain update");
    }
}
