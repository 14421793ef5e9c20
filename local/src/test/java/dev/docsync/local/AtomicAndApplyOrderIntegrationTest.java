package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static dev.docsync.local.Batches.delete;
import static dev.docsync.local.Batches.update;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AtomicAndApplyOrderIntegrationTest {

    private final TestStack stack = TestStack.get();

    private List<Map<String, Object>> mixedOperationsWithOneStaleUpdate() {
        return List.of(
                create("new", "fresh", "Fresh"),
                update("good", "existing", 1L, "Renamed"),
                update("stale", "other", 1L, "Too late"),
                delete("gone", "to-delete", 1L));
    }

    private void seed(String ws, String token) {
        stack.api.postBatch(token, batch(ws, List.of(
                create("a", "existing", "Existing"), create("b", "other", "Other"),
                create("c", "to-delete", "Doomed"))));
        stack.api.postBatch(token, batch(ws, List.of(update("d", "other", 1L, "Other v2"))));
    }

    private static String status(JsonNode body, int index) {
        return body.get("results").get(index).get("status").asString();
    }

    @Test
    void anAtomicBatchWithOneStaleUpdateAppliesNothingAndSaysWhy() {
        String ws = Batches.workspace("ws_atomic");
        String token = stack.editor("carol", ws);
        seed(ws, token);

        JsonNode body = stack.api.postBatch(token, batch(ws, true, mixedOperationsWithOneStaleUpdate())).json();

        assertThat(body.get("atomic").asBoolean()).isTrue();
        assertThat(List.of(status(body, 0), status(body, 1), status(body, 2), status(body, 3)))
                .containsExactly("skipped", "skipped", "conflict", "skipped");
        assertThat(body.get("results").get(0).get("error").get("code").asString()).isEqualTo("atomic_batch_failed");
        assertThat(body.get("results").get(2).get("current").get("version").asLong()).isEqualTo(2);
        assertThat(body.get("successful").asInt()).isZero();
        assertThat(body.get("failed").asInt()).isEqualTo(4);
        assertThat(stack.api.document(token, ws, "fresh").status()).isEqualTo(404);
        assertThat(stack.api.document(token, ws, "existing").json().get("version").asLong()).isEqualTo(1);
        assertThat(stack.api.document(token, ws, "to-delete").status()).isEqualTo(200);
    }

    @Test
    void theSameOperationsNonAtomicApplyTheGoodOnes() {
        String ws = Batches.workspace("ws_nonatomic");
        String token = stack.editor("carol", ws);
        seed(ws, token);

        JsonNode body = stack.api.postBatch(token, batch(ws, false, mixedOperationsWithOneStaleUpdate())).json();

        assertThat(List.of(status(body, 0), status(body, 1), status(body, 2), status(body, 3)))
                .containsExactly("success", "success", "conflict", "success");
        assertThat(body.get("successful").asInt() + body.get("failed").asInt()).isEqualTo(body.get("total").asInt());
        assertThat(stack.api.document(token, ws, "fresh").status()).isEqualTo(200);
        assertThat(stack.api.document(token, ws, "existing").json().get("title").asString()).isEqualTo("Renamed");
        Api.Response deleted = stack.api.document(token, ws, "to-delete");
        assertThat(deleted.status()).isEqualTo(410);
        assertThat(deleted.json().get("deleted").asBoolean()).isTrue();
        assertThat(deleted.json().get("version").asLong()).isEqualTo(2);
        assertThat(deleted.json().get("title").asString()).isEqualTo("Doomed");
    }

    @Test
    void createsApplyBeforeUpdatesBeforeDeletesWhileResultsKeepRequestOrder() {
        String ws = Batches.workspace("ws_order");
        String token = stack.editor("dave", ws);

        JsonNode body = stack.api.postBatch(token, batch(ws, true, List.of(
                delete("3-delete", "planned", 2L),
                update("2-update", "planned", 1L, "Planned v2"),
                create("1-create", "planned", "Planned")))).json();

        assertThat(body.get("results").valueStream().map(r -> r.get("client_id").asString()).toList())
                .containsExactly("3-delete", "2-update", "1-create");
        assertThat(body.get("results").valueStream().map(r -> r.get("version").asLong()).toList())
                .containsExactly(3L, 2L, 1L);
        assertThat(body.get("successful").asInt()).isEqualTo(3);
        assertThat(stack.jdbc.queryForList("""
                select operation from document_versions where workspace_id = ? and document_id = 'planned'
                 order by version""", String.class, ws)).containsExactly("create", "update", "delete");
    }

    @Test
    void perOperationErrorsCarryTheirCodes() {
        String ws = Batches.workspace("ws_errors");
        String token = stack.editor("erin", ws);
        stack.api.postBatch(token, batch(ws, List.of(create("a", "dup", "Dup"), create("b", "dead", "Dead"))));
        stack.api.postBatch(token, batch(ws, List.of(delete("c", "dead", null))));

        JsonNode body = stack.api.postBatch(token, batch(ws, List.of(
                create("x", "dup", "Again"),
                update("y", "missing", null, "Nope"),
                update("z", "dead", null, "Zombie")))).json();

        assertThat(body.get("results").valueStream().map(r -> r.get("error").get("code").asString()).toList())
                .containsExactly("already_exists", "not_found", "deleted");
        assertThat(body.get("results").valueStream().map(r -> r.get("status").asString()).toList())
                .containsOnly("error");
    }
}
