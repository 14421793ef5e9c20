package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Whole-request rules: bad input, limits and roles answer problem+json and write nothing to the log. */
class RequestRulesIntegrationTest {

    private final TestStack stack = TestStack.get();

    private void assertProblem(Api.Response response, int status) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().get("status").asInt()).isEqualTo(status);
    }

    @Test
    void invalidRequestsAnswer400WithPointersAndWriteNothing() {
        String ws = Batches.workspace("ws_invalid");
        String token = stack.editor("val", ws);
        long before = stack.log.totalEndOffset();

        Api.Response misspelled = stack.api.postBatch(token, """
                {"workspace_id": "%s", "operations": [
                  {"client_id": "a", "operation": "create"},
                  {"client_id": "b", "operation": "create"},
                  {"client_id": "c", "operation": "create"},
                  {"client_id": "d", "operation": "upsert", "document_id": "x"}]}""".formatted(ws));
        Api.Response duplicate = stack.api.postBatch(token, """
                {"workspace_id": "%s", "operations": [
                  {"client_id": "a", "operation": "create"}, {"client_id": "a", "operation": "create"}]}"""
                .formatted(ws));
        Api.Response typo = stack.api.postBatch(token, """
                {"workspace_id": "%s", "operations": [
                  {"client_id": "a", "operation": "update", "document_id": "x", "base_versoin": 3}]}""".formatted(ws));
        Api.Response garbage = stack.api.postBatch(token, "{\"workspace_id\": ");

        assertProblem(misspelled, 400);
        assertThat(pointers(misspelled)).containsExactly("/operations/3/operation");
        assertProblem(duplicate, 400);
        assertThat(pointers(duplicate)).containsExactly("/operations/1/client_id");
        assertProblem(typo, 400);
        assertThat(pointers(typo)).containsExactly("/operations/0/base_versoin");
        assertProblem(garbage, 400);
        assertThat(stack.log.totalEndOffset()).isEqualTo(before);
    }

    @Test
    void tooManyOperationsOrTooLargeABodyAnswer413AndWriteNothing() {
        String ws = Batches.workspace("ws_limits");
        String token = stack.editor("val", ws);
        long before = stack.log.totalEndOffset();
        List<Map<String, Object>> ops = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            ops.add(create("op_" + i, null, "n" + i));
        }
        String huge = "x".repeat(10 * 1024 * 1024);
        byte[] tooLarge = batch(ws, List.of(Map.of("client_id", "a", "operation", "create",
                "data", Map.of("content", huge)))).getBytes(StandardCharsets.UTF_8);

        assertProblem(stack.api.postBatch(token, batch(ws, ops)), 413);
        assertProblem(stack.api.postBatchBytes(token, tooLarge), 413);
        assertThat(stack.log.totalEndOffset()).isEqualTo(before);
    }

    @Test
    void aBodyJustUnderTheLimitIsAccepted() {
        String ws = Batches.workspace("ws_big");
        String token = stack.editor("val", ws);
        String big = "y".repeat(10 * 1024 * 1024 - 200);

        Api.Response response = stack.api.postBatch(token, batch(ws, List.of(Map.of("client_id", "a",
                "operation", "create", "document_id", "big", "data", Map.of("content", big)))));

        assertThat(response.status()).isEqualTo(200);
        assertThat(stack.api.document(token, ws, "big").json().get("content").asString()).hasSize(big.length());
    }

    @Test
    void callersWithoutAValidTokenOrWriteRoleAreRefusedAndNothingIsWritten() {
        String ws = Batches.workspace("ws_auth");
        String body = batch(ws, List.of(create("a", "doc", "Doc")));
        long before = stack.log.totalEndOffset();
        String expired = stack.tokens.mint("old", Map.of(ws, "editor"), Instant.now().minus(Duration.ofHours(2)),
                Instant.now().minus(Duration.ofHours(1)));
        String forged = new DevTokens("another-secret-that-is-long-enough-for-hs256").mint("eve", Map.of(ws, "admin"),
                Duration.ofHours(1));

        assertProblem(stack.api.postBatch(null, body), 401);
        assertProblem(stack.api.postBatch("not-a-jwt", body), 401);
        assertProblem(stack.api.postBatch(expired, body), 401);
        assertProblem(stack.api.postBatch(forged, body), 401);
        assertProblem(stack.api.postBatch(stack.token("v", Map.of(ws, "viewer")), body), 403);
        assertProblem(stack.api.postBatch(stack.token("o", Map.of("ws_other", "admin")), body), 403);
        assertThat(stack.log.totalEndOffset()).isEqualTo(before);
    }

    @Test
    void aWorkspaceTheCallerHasNoRoleInDoesNotExistForReads() {
        String ws = Batches.workspace("ws_private");
        String owner = stack.editor("owner", ws);
        Api.Response created = stack.api.postBatch(owner, batch(ws, List.of(create("a", "secret", "Secret"))));
        String batchPath = "/api/v1/batches/" + created.json().get("batch_id").asString();
        String stranger = stack.token("stranger", Map.of("ws_elsewhere", "admin"));
        String viewer = stack.token("viewer", Map.of(ws, "viewer"));

        assertProblem(stack.api.document(stranger, ws, "secret"), 404);
        assertProblem(stack.api.get(stranger, batchPath), 404);
        assertThat(stack.api.document(viewer, ws, "secret").status()).isEqualTo(200);
        assertThat(stack.api.get(viewer, batchPath).status()).isEqualTo(200);
        assertProblem(stack.api.get(owner, "/api/v1/batches/not-a-uuid"), 404);
        assertProblem(stack.api.get(owner, "/api/v1/batches/01a21447-2023-7e5f-9ddf-f3a8e6091838"), 404);
    }

    @Test
    void aBatchWhoseWaitRunsOutAnswers202WithALocationThatLaterShowsTheResult() {
        String ws = Batches.workspace("ws_async");
        String token = stack.editor("async", ws);

        Api.Response async = stack.api.postBatch(token, batch(ws, List.of(create("a", "later", "Later"))),
                Map.of("Prefer", "respond-async"));
        Api.Response noWait = stack.api.postBatch(token, batch(ws, List.of(create("b", "now", "Now"))),
                Map.of("Prefer", "wait=0"));

        for (Api.Response accepted : List.of(async, noWait)) {
            assertThat(accepted.status()).isEqualTo(202);
            assertThat(accepted.json().get("status").asString()).isEqualTo("pending");
            String location = accepted.header("Location");
            assertThat(location).isEqualTo("/api/v1/batches/" + accepted.json().get("batch_id").asString());
            assertThat(stack.api.get(token, location).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode polled = stack.api.get(token, location).json();
                assertThat(polled.get("status").asString()).isEqualTo("completed");
                assertThat(polled.get("successful").asInt()).isEqualTo(1);
            });
        }
        assertThat(async.header("Preference-Applied")).isEqualTo("respond-async");
    }

    private static List<String> pointers(Api.Response response) {
        return response.json().get("errors").valueStream().map(e -> e.get("pointer").asString()).toList();
    }
}
