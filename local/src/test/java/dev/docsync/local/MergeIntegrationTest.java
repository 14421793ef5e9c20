package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.contracts.DocsyncJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Three-way merge through the real stack (DESIGN §3.1, issue 23): two writers edit one document from the same
 * version; with {@code "on_conflict": "merge"} the later one's stale update merges instead of conflicting.
 */
class MergeIntegrationTest {

    private static final String PARAGRAPHS = "Intro by Alice.\n\nMiddle by Bob.\n\nEnd by Carol.\n";

    private final TestStack stack = TestStack.get();

    private static Map<String, Object> update(String clientId, String documentId, long baseVersion,
            Map<String, Object> data) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("client_id", clientId);
        op.put("operation", "update");
        op.put("document_id", documentId);
        op.put("base_version", baseVersion);
        op.put("data", data);
        return op;
    }

    private static String mergeBatch(String workspace, boolean atomic, List<Map<String, Object>> operations) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("workspace_id", workspace);
        body.put("atomic", atomic);
        body.put("on_conflict", "merge");
        body.put("operations", operations);
        return DocsyncJson.mapper().writeValueAsString(body);
    }

    /** A document at version 2: created with three paragraphs, then edited by "alice" from version 1. */
    private void documentEditedByAlice(String alice, String ws, String documentId, Map<String, Object> aliceData) {
        Map<String, Object> create = new LinkedHashMap<>();
        create.put("client_id", "c");
        create.put("operation", "create");
        create.put("document_id", documentId);
        create.put("data", Map.of("title", "Plan", "content", PARAGRAPHS));
        assertThat(stack.api.postBatch(alice, batch(ws, List.of(create))).status()).isEqualTo(200);
        JsonNode edited = stack.api.postBatch(alice, batch(ws, List.of(update("a", documentId, 1, aliceData)))).json();
        assertThat(edited.get("results").get(0).get("status").asString()).isEqualTo("success");
    }

    @Test
    void twoWritersEditingDifferentParagraphsBothKeepTheirEdits() {
        String ws = Batches.workspace("ws_merge");
        String alice = stack.editor("alice", ws);
        String bob = stack.editor("bob", ws);
        documentEditedByAlice(alice, ws, "plan", Map.of("content", PARAGRAPHS.replace("Intro by Alice.",
                "Intro by Alice, revised.")));

        Api.Response response = stack.api.postBatch(bob, mergeBatch(ws, false, List.of(update("b", "plan", 1,
                Map.of("title", "Plan (Bob)", "content", PARAGRAPHS.replace("End by Carol.", "End by Carol.\nPS by Bob."))))));

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        JsonNode result = response.json().get("results").get(0);
        String merged = "Intro by Alice, revised.\n\nMiddle by Bob.\n\nEnd by Carol.\nPS by Bob.\n";
        assertThat(result.get("status").asString()).isEqualTo("merged");
        assertThat(result.get("version").asLong()).isEqualTo(3);
        assertThat(result.get("merge").get("algorithm").asString()).isEqualTo("diff3-lines/1");
        assertThat(result.get("merge").get("from_base_version").asLong()).isEqualTo(1);
        assertThat(result.get("current").get("content").asString()).isEqualTo(merged);
        assertThat(response.json().get("successful").asInt()).isEqualTo(1);
        assertThat(response.json().get("failed").asInt()).isZero();
        JsonNode document = stack.api.document(bob, ws, "plan").json();
        assertThat(document.get("version").asLong()).isEqualTo(3);
        assertThat(document.get("title").asString()).isEqualTo("Plan (Bob)");
        assertThat(document.get("content").asString()).isEqualTo(merged);
        JsonNode history = stack.api.get(bob, "/api/v1/workspaces/" + ws + "/documents/plan/history").json().get("items");
        assertThat(history.get(2).get("operation").asString()).isEqualTo("update");
        assertThat(history.get(2).get("merge").get("from_base_version").asLong()).isEqualTo(1);
        assertThat(history.get(2).get("merge").get("algorithm").asString()).isEqualTo("diff3-lines/1");
        assertThat(history.get(1).has("merge")).isFalse();
        // Stored, the merged state is a reference to the version the merge wrote, never a copy (DESIGN §3.1).
        String stored = stack.jdbc.queryForObject("select results::text from batch_results where batch_id = ?::uuid",
                String.class, response.json().get("batch_id").asString());
        assertThat(stored).contains("\"current_ref\"").doesNotContain("PS by Bob").doesNotContain("\"current\"");
    }

    /**
     * A batch's merges read at most 4 MiB of base and current content: two 2.5 MB versions that both sides edited
     * answer merge_conflict on content without being read, and nothing is written.
     */
    @Test
    void aMergeOfDocumentsLargerThanABatchMayReadAnswersAMergeConflict() {
        String ws = Batches.workspace("ws_merge");
        String alice = stack.editor("alice", ws);
        String bob = stack.editor("bob", ws);
        String large = "a line of a large document, long enough to count\n".repeat(50_000) + PARAGRAPHS;
        Map<String, Object> create = new LinkedHashMap<>();
        create.put("client_id", "c");
        create.put("operation", "create");
        create.put("document_id", "large");
        create.put("data", Map.of("title", "Large", "content", large));
        assertThat(stack.api.postBatch(alice, batch(ws, List.of(create))).status()).isEqualTo(200);
        assertThat(stack.api.postBatch(alice, batch(ws, List.of(update("a", "large", 1,
                Map.of("content", large.replace("Intro by Alice.", "Intro, Alice's.")))))).status()).isEqualTo(200);

        Api.Response response = stack.api.postBatch(bob, mergeBatch(ws, false, List.of(update("b", "large", 1,
                Map.of("content", large.replace("End by Carol.", "End, Bob's."))))));

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        JsonNode result = response.json().get("results").get(0);
        assertThat(result.get("status").asString()).isEqualTo("conflict");
        assertThat(result.get("error").get("code").asString()).isEqualTo("merge_conflict");
        assertThat(result.get("error").get("message").asString()).contains("bytes", "merge it in the client");
        assertThat(result.get("merge").get("fields").toString()).isEqualTo("[\"content\"]");
        assertThat(result.get("current").get("version").asLong()).isEqualTo(2);
        assertThat(stack.api.document(bob, ws, "large").json().get("version").asLong()).isEqualTo(2);
    }

    @Test
    void editsOfTheSameParagraphCollideWithTheirHunksAndAnAtomicBatchAppliesNothing() {
        String ws = Batches.workspace("ws_merge");
        String alice = stack.editor("alice", ws);
        String bob = stack.editor("bob", ws);
        documentEditedByAlice(alice, ws, "plan", Map.of("content", PARAGRAPHS.replace("Middle by Bob.", "Middle, Alice's.")));
        documentEditedByAlice(alice, ws, "notes", Map.of("title", "Notes (Alice)"));

        Api.Response response = stack.api.postBatch(bob, mergeBatch(ws, true, List.of(
                update("would-merge", "notes", 1, Map.of("content", PARAGRAPHS.replace("Carol", "Carla"))),
                update("collides", "plan", 1, Map.of("content", PARAGRAPHS.replace("Middle by Bob.", "Middle, Bob's."))))));

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        JsonNode results = response.json().get("results");
        assertThat(results.get(0).get("status").asString()).isEqualTo("skipped");
        JsonNode collision = results.get(1);
        assertThat(collision.get("status").asString()).isEqualTo("conflict");
        assertThat(collision.get("error").get("code").asString()).isEqualTo("merge_conflict");
        assertThat(collision.get("merge").get("fields").toString()).isEqualTo("[\"content\"]");
        JsonNode hunk = collision.get("merge").get("hunks").get(0);
        assertThat(hunk.get("base").toString()).isEqualTo("[\"Middle by Bob.\"]");
        assertThat(hunk.get("mine").toString()).isEqualTo("[\"Middle, Bob's.\"]");
        assertThat(hunk.get("theirs").toString()).isEqualTo("[\"Middle, Alice's.\"]");
        assertThat(collision.get("current").get("version").asLong()).isEqualTo(2);
        assertThat(stack.api.document(bob, ws, "notes").json().get("version").asLong()).isEqualTo(2);
        assertThat(stack.api.document(bob, ws, "plan").json().get("version").asLong()).isEqualTo(2);
    }

    @Test
    void aBatchThatDoesNotAskToMergeStillReportsTheConflict() {
        String ws = Batches.workspace("ws_merge");
        String alice = stack.editor("alice", ws);
        documentEditedByAlice(alice, ws, "plan", Map.of("content", PARAGRAPHS.replace("Intro", "Opening")));

        Api.Response response = stack.api.postBatch(alice, batch(ws, List.of(update("late", "plan", 1,
                Map.of("title", "Late")))));

        JsonNode result = response.json().get("results").get(0);
        assertThat(result.get("status").asString()).isEqualTo("conflict");
        assertThat(result.get("error").get("code").asString()).isEqualTo("version_conflict");
        assertThat(result.has("merge")).isFalse();
    }

    @Test
    void anUnknownOnConflictIsA400PointingAtIt() {
        String ws = Batches.workspace("ws_merge");
        String body = mergeBatch(ws, false, List.of(update("u", "d", 1, Map.of("title", "x"))))
                .replace("\"merge\"", "\"theirs\"");

        Api.Response response = stack.api.postBatch(stack.editor("alice", ws), body);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("errors").get(0).get("pointer").asString()).isEqualTo("/on_conflict");
    }
}
