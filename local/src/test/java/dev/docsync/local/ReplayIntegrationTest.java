package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.projection.replay.ProjectionChecksums.TableComparison;
import dev.docsync.worker.replay.ReplayCommand;
import dev.docsync.worker.replay.ReplayReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A seeded random workload (creates, updates, deletes, stale versions, atomic failures, retried batches)
 * across several workspaces, then a replay of the whole log into a fresh schema: documents, history and
 * batch results must have the same checksums as the live projection.
 */
class ReplayIntegrationTest {

    private static final long SEED = 20261125L;

    private final TestStack stack = TestStack.get();

    @Test
    void replayingTheLogRebuildsTheSameProjection() {
        Random random = new Random(SEED);
        List<String> workspaces = List.of(Batches.workspace("ws_replay"), Batches.workspace("ws_replay"),
                Batches.workspace("ws_replay"));
        Map<String, String> tokens = new LinkedHashMap<>();
        workspaces.forEach(ws -> tokens.put(ws, stack.editor("replayer-" + ws.length(), ws)));
        int completed = 0;
        for (int b = 0; b < 120; b++) {
            String ws = workspaces.get(random.nextInt(workspaces.size()));
            List<Map<String, Object>> ops = new ArrayList<>();
            int count = 1 + random.nextInt(6);
            for (int i = 0; i < count; i++) {
                String doc = "doc-" + random.nextInt(12);
                Long base = random.nextInt(3) == 0 ? null : (long) (1 + random.nextInt(4));
                ops.add(switch (random.nextInt(5)) {
                    case 0, 1 -> Batches.create("op" + i, doc, "t" + b + "." + i);
                    case 2, 3 -> Batches.update("op" + i, doc, base, "t" + b + "." + i);
                    default -> Batches.delete("op" + i, doc, base);
                });
            }
            String body = batch(ws, random.nextInt(4) == 0, ops);
            int repeats = random.nextInt(8) == 0 ? 2 : 1; // a client retrying the same push
            for (int r = 0; r < repeats; r++) {
                Api.Response response = stack.api.postBatch(tokens.get(ws), body);
                assertThat(response.status()).isEqualTo(200);
                completed++;
            }
        }

        ReplayCommand.Report report = stack.stack.worker().getBean(ReplayCommand.class)
                .run(new ReplayCommand.Options(false, false));

        System.out.println(ReplayReport.format(report));
        assertThat(report.tables()).extracting(TableComparison::table)
                .containsExactly("document_versions", "batch_results", "documents");
        assertThat(report.tables()).allSatisfy(table -> {
            assertThat(table.firstDifference()).isNull();
            assertThat(table.equal()).isTrue();
            assertThat(table.replayRows()).isPositive();
        });
        assertThat(report.batches()).isGreaterThanOrEqualTo(completed);
        assertThat(report.tables().get(1).liveRows()).isEqualTo(report.tables().get(1).replayRows());
    }

    @Test
    void aReplaySwappedInWhileTheStackRunsServesTheSameDataAndKeepsApplying() {
        String ws = Batches.workspace("ws_swap");
        String token = stack.editor("swapper", ws);
        stack.api.postBatch(token, batch(ws, List.of(Batches.create("c", "before", "Before swap"))));
        String schemaBefore = stack.jdbc.queryForObject("select current_schema()", String.class);

        ReplayCommand.Report report = stack.stack.worker().getBean(ReplayCommand.class)
                .run(new ReplayCommand.Options(true, false));

        assertThat(report.equal()).isTrue();
        assertThat(report.swapped()).isTrue();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() -> {
            Api.Response after = stack.api.postBatch(token, batch(ws, List.of(
                    Batches.update("u", "before", null, "After swap"))), Map.of("Prefer", "wait=5"));
            assertThat(after.status()).isEqualTo(200);
        });
        assertThat(stack.api.document(token, ws, "before").json().get("title").asString()).isEqualTo("After swap");
        assertThat(stack.jdbc.queryForObject("select count(*) from " + schemaBefore + ".documents", Long.class))
                .isPositive();
        assertThat(stack.jdbc.queryForList("select nspname from pg_namespace where nspname like ?", String.class,
                schemaBefore + "_before_%")).hasSize(1);
    }
}
