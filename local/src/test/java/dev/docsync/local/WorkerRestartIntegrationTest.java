package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static dev.docsync.local.Batches.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Batches keep arriving while the apply-worker is stopped and started again: every acknowledged batch is
 * applied exactly once. A counter document per workspace, updated unconditionally by every batch, makes a
 * double apply visible (version too high) and a lost one too (version too low, or a batch never completes).
 */
class WorkerRestartIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void restartingTheWorkerMidStreamLosesNothingAndAppliesNothingTwice() {
        List<String> workspaces = List.of(Batches.workspace("ws_restart"), Batches.workspace("ws_restart"),
                Batches.workspace("ws_restart"), Batches.workspace("ws_restart"));
        Map<String, String> tokens = new HashMap<>();
        for (String ws : workspaces) {
            tokens.put(ws, stack.editor("r", ws));
            assertThat(stack.api.postBatch(tokens.get(ws), batch(ws, List.of(create("c", "counter", "0"))))
                    .status()).isEqualTo(200);
        }
        int rounds = 40;
        List<UUID> acknowledged = new ArrayList<>();
        CompletableFuture<Void> restarts = null;
        for (int round = 0; round < rounds; round++) {
            if (round == rounds / 4) {
                restarts = CompletableFuture.runAsync(() -> {
                    stack.stack.restartWorker();
                    stack.stack.restartWorker();
                });
            }
            for (String ws : workspaces) {
                Api.Response r = stack.api.postBatch(tokens.get(ws), batch(ws, List.of(
                        update("u", "counter", null, "round " + round),
                        create("n", "doc-" + round, "Round " + round))), Map.of("Prefer", "respond-async"));
                assertThat(r.status()).isEqualTo(202);
                acknowledged.add(UUID.fromString(r.json().get("batch_id").asString()));
            }
        }
        restarts.join();

        await().atMost(Duration.ofSeconds(60)).until(() -> stack.jdbc.queryForObject(
                "select count(*) from batch_results where batch_id = any(?::uuid[])", Long.class,
                (Object) acknowledged.stream().map(UUID::toString).toArray(String[]::new)) == acknowledged.size());

        for (String ws : workspaces) {
            assertThat(stack.jdbc.queryForObject(
                    "select version from documents where workspace_id = ? and document_id = 'counter'", Long.class, ws))
                    .isEqualTo(1 + rounds);
            assertThat(stack.jdbc.queryForObject(
                    "select count(*) from document_versions where workspace_id = ?", Long.class, ws))
                    .isEqualTo(1 + rounds + rounds);
            assertThat(stack.jdbc.queryForObject(
                    "select count(*) from batch_results where workspace_id = ? and successful = 2", Long.class, ws))
                    .isEqualTo(rounds);
        }
    }
}
