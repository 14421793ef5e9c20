package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static dev.docsync.local.Batches.update;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The seed system's three manual tests, automated against the real stack. */
class SeedFlowIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void fiveDocumentsCreatedOfflineArePushedInOneBatchAndAreReadableAfterwards() {
        String ws = Batches.workspace("ws_seed_a");
        String token = stack.editor("alice", ws);
        List<Map<String, Object>> ops = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ops.add(create("op_" + i, null, "Offline note " + i));
        }

        Api.Response response = stack.api.postBatch(token, batch(ws, ops));

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.get("status").asString()).isEqualTo("completed");
        assertThat(body.get("total").asInt()).isEqualTo(5);
        assertThat(body.get("successful").asInt()).isEqualTo(5);
        assertThat(body.get("failed").asInt()).isZero();
        for (int i = 0; i < 5; i++) {
            JsonNode result = body.get("results").get(i);
            assertThat(result.get("client_id").asString()).isEqualTo("op_" + (i + 1));
            assertThat(result.get("status").asString()).isEqualTo("success");
            assertThat(result.get("version").asLong()).isEqualTo(1);
            Api.Response read = stack.api.document(token, ws, result.get("document_id").asString());
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.header("ETag")).isEqualTo("\"1\"");
            assertThat(read.json().get("title").asString()).isEqualTo("Offline note " + (i + 1));
            assertThat(read.json().get("updated_by").asString()).isEqualTo("alice");
        }
    }

    @Test
    void threeCreatesAndTwoUpdatesOfExistingDocumentsInOneBatchAllSucceedWithTheRightVersions() {
        String ws = Batches.workspace("ws_seed_b");
        String token = stack.editor("bob", ws);
        assertThat(stack.api.postBatch(token, batch(ws, List.of(
                create("c1", "doc-1", "One"), create("c2", "doc-2", "Two")))).status()).isEqualTo(200);
        stack.api.postBatch(token, batch(ws, List.of(update("u0", "doc-2", 1L, "Two v2"))));

        Api.Response response = stack.api.postBatch(token, batch(ws, List.of(
                create("n1", "doc-3", "Three"),
                update("u1", "doc-1", 1L, "One v2"),
                create("n2", "doc-4", "Four"),
                update("u2", "doc-2", 2L, "Two v3"),
                create("n3", "doc-5", "Five"))));

        assertThat(response.status()).isEqualTo(200);
        JsonNode results = response.json().get("results");
        assertThat(response.json().get("successful").asInt()).isEqualTo(5);
        assertThat(results.valueStream().map(r -> r.get("client_id").asString()).toList())
                .containsExactly("n1", "u1", "n2", "u2", "n3");
        assertThat(results.valueStream().map(r -> r.get("version").asLong()).toList())
                .containsExactly(1L, 2L, 1L, 3L, 1L);
        assertThat(stack.api.document(token, ws, "doc-2").json().get("title").asString()).isEqualTo("Two v3");
        assertThat(stack.api.document(token, ws, "doc-1").header("ETag")).isEqualTo("\"2\"");
    }

    @Test
    void theSecondOfTwoUsersEditingTheSameDocumentGetsAConflictWithTheCurrentStateAndTheFirstEditSurvives() {
        String ws = Batches.workspace("ws_seed_c");
        String alice = stack.editor("alice", ws);
        String bob = stack.editor("bob", ws);
        stack.api.postBatch(alice, batch(ws, List.of(create("c", "shared", "Draft"))));

        Api.Response first = stack.api.postBatch(alice, batch(ws, List.of(update("a1", "shared", 1L, "Alice's title"))));
        Api.Response second = stack.api.postBatch(bob, batch(ws, List.of(update("b1", "shared", 1L, "Bob's title"))));

        assertThat(first.json().get("results").get(0).get("status").asString()).isEqualTo("success");
        JsonNode conflict = second.json().get("results").get(0);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().get("failed").asInt()).isEqualTo(1);
        assertThat(conflict.get("status").asString()).isEqualTo("conflict");
        assertThat(conflict.get("error").get("code").asString()).isEqualTo("version_conflict");
        assertThat(conflict.get("version").asLong()).isEqualTo(2);
        assertThat(conflict.get("current").get("title").asString()).isEqualTo("Alice's title");
        assertThat(conflict.get("current").get("version").asLong()).isEqualTo(2);
        assertThat(conflict.get("current").get("updated_by").asString()).isEqualTo("alice");
        JsonNode stored = stack.api.document(bob, ws, "shared").json();
        assertThat(stored.get("title").asString()).isEqualTo("Alice's title");
        assertThat(stored.get("version").asLong()).isEqualTo(2);
    }
}
