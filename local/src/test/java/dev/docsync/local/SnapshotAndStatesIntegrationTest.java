package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static dev.docsync.local.Batches.delete;
import static dev.docsync.local.Batches.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The way back (issue 21): a snapshot to bootstrap from, the change feed with states, and a completed batch's
 * {@code change_cursor}. Pages are bounded by the bytes of the states they carry (8 MiB), not only by count.
 */
class SnapshotAndStatesIntegrationTest {

    private static final int MIB = 1024 * 1024;

    private final TestStack stack = TestStack.get();

    @Test
    void aSnapshotPagesTheLiveDocumentsAndFollowingTheFeedFromItsCursorConverges() {
        String ws = Batches.workspace("ws_snap");
        String token = stack.editor("snapper", ws);
        List<Map<String, Object>> ops = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ops.add(create("c" + i, "doc-" + i, "Doc " + i));
        }
        assertThat(stack.api.postBatch(token, batch(ws, ops)).status()).isEqualTo(200);
        assertThat(stack.api.postBatch(token, batch(ws, List.of(delete("d", "doc-3", null)))).status()).isEqualTo(200);

        Map<String, JsonNode> local = new LinkedHashMap<>();
        String feedCursor = null;
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = ok(stack.api.get(token, "/api/v1/workspaces/" + ws + "/snapshot?limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor)));
            pages++;
            assertThat(page.get("items").size()).isLessThanOrEqualTo(2);
            page.get("items").forEach(d -> local.put(d.get("document_id").asString(), d));
            if (feedCursor == null) {
                feedCursor = page.get("feed_cursor").asString();
                // Changes made while the snapshot is being read: some show up in later pages, all in the feed.
                assertThat(stack.api.postBatch(token, batch(ws, List.of(update("u0", "doc-0", 1L, "Doc 0 again"),
                        update("u5", "doc-5", 1L, "Doc 5 again"), create("c9", "doc-9", "Doc 9"),
                        delete("d6", "doc-6", 1L)))).status()).isEqualTo(200);
            } else {
                assertThat(page.get("feed_cursor").asString()).as("fixed when the snapshot starts").isEqualTo(feedCursor);
            }
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
        } while (cursor != null);

        assertThat(pages).isEqualTo(3);
        assertThat(local.keySet()).contains("doc-0", "doc-1", "doc-2", "doc-4", "doc-5").doesNotContain("doc-3");
        JsonNode first = local.get("doc-1");
        assertThat(first.get("content").asString()).isEqualTo("# Doc 1");
        assertThat(first.get("workspace_id").asString()).isEqualTo(ws);
        assertThat(first.get("deleted").asBoolean()).isFalse();

        // Follow the feed from feed_cursor with states, applying a change only over an older local version.
        String since = feedCursor;
        JsonNode page;
        do {
            page = ok(stack.api.get(token, "/api/v1/workspaces/" + ws + "/changes?include=state&limit=2&since=" + since));
            for (JsonNode change : page.get("items")) {
                JsonNode state = change.get("document");
                JsonNode mine = local.get(state.get("document_id").asString());
                if (mine == null || mine.get("version").asLong() < state.get("version").asLong()) {
                    local.put(state.get("document_id").asString(), state);
                }
            }
            since = page.get("next_cursor").asString();
        } while (!page.get("items").isEmpty());
        local.values().removeIf(d -> d.get("deleted").asBoolean());

        Map<String, Long> server = new HashMap<>();
        stack.api.get(token, "/api/v1/workspaces/" + ws + "/documents?limit=100").json().get("items")
                .forEach(d -> server.put(d.get("document_id").asString(), d.get("version").asLong()));
        Map<String, Long> mine = new HashMap<>();
        local.forEach((id, d) -> mine.put(id, d.get("version").asLong()));
        assertThat(mine).isEqualTo(server);
        assertThat(local.get("doc-0").get("title").asString()).isEqualTo("Doc 0 again");
    }

    @Test
    void snapshotAndStatePagesHoldAtMostEightMebibytesOfStatesAndALargerDocumentComesAlone() {
        String ws = Batches.workspace("ws_bytes");
        String token = stack.editor("bytes", ws);
        for (String id : List.of("a", "b", "c")) {
            assertThat(stack.api.postBatch(token, batch(ws, List.of(sized("c-" + id, id, 3 * MIB)))).status())
                    .isEqualTo(200);
        }
        assertThat(stack.api.postBatch(token, batch(ws, List.of(sized("c-d", "d", 9 * MIB)))).status())
                .isEqualTo(200);

        List<List<String>> snapshotPages = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = ok(stack.api.get(token, "/api/v1/workspaces/" + ws + "/snapshot?limit=100"
                    + (cursor == null ? "" : "&cursor=" + cursor)));
            List<String> ids = new ArrayList<>();
            page.get("items").forEach(d -> {
                ids.add(d.get("document_id").asString());
                assertThat(d.get("content").asString()).hasSize(d.get("document_id").asString().equals("d")
                        ? 9 * MIB : 3 * MIB);
            });
            snapshotPages.add(ids);
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
        } while (cursor != null);
        assertThat(snapshotPages).containsExactly(List.of("a", "b"), List.of("c"), List.of("d"));

        List<List<String>> feedPages = new ArrayList<>();
        String since = null;
        while (true) {
            JsonNode page = ok(stack.api.get(token, "/api/v1/workspaces/" + ws + "/changes?include=state&limit=100"
                    + (since == null ? "" : "&since=" + since)));
            if (page.get("items").isEmpty()) {
                break;
            }
            List<String> ids = new ArrayList<>();
            page.get("items").forEach(c -> {
                ids.add(c.get("document_id").asString());
                assertThat(c.get("document").get("content").asString()).startsWith("x").endsWith("x");
            });
            feedPages.add(ids);
            since = page.get("next_cursor").asString();
        }
        assertThat(feedPages).containsExactly(List.of("a", "b"), List.of("c"), List.of("d"));
    }

    @Test
    void feedItemsCarryTheStateAtTheirVersionOnlyWhenAsked() {
        String ws = Batches.workspace("ws_states");
        String token = stack.editor("stater", ws);
        stack.api.postBatch(token, batch(ws, List.of(create("c", "doc", "First"))));
        stack.api.postBatch(token, batch(ws, List.of(update("u", "doc", 1L, "Second"))));
        stack.api.postBatch(token, batch(ws, List.of(delete("d", "doc", 2L))));

        JsonNode plain = ok(stack.api.get(token, "/api/v1/workspaces/" + ws + "/changes"));
        assertThat(plain.get("items")).hasSize(3);
        plain.get("items").forEach(item -> assertThat(item.has("document")).isFalse());

        JsonNode withState = ok(stack.api.get(token, "/api/v1/workspaces/" + ws + "/changes?include=state"));
        List<JsonNode> items = withState.get("items").valueStream().toList();
        assertThat(items.stream().map(i -> i.get("document").get("title").asString()))
                .containsExactly("First", "Second", "Second");
        assertThat(items.stream().map(i -> i.get("document").get("version").asLong())).containsExactly(1L, 2L, 3L);
        assertThat(items.get(2).get("document").get("deleted").asBoolean()).isTrue();
        assertThat(items.get(0).get("document").get("content").asString()).isEqualTo("# First");
        assertThat(items.get(1).get("document").get("updated_by").asString()).isEqualTo("stater");
        assertThat(withState.get("next_cursor").asString()).isEqualTo(plain.get("next_cursor").asString());
    }

    @Test
    void aCompletedBatchCarriesTheFeedPositionThatIncludesItsChanges() {
        String ws = Batches.workspace("ws_ryw");
        String token = stack.editor("ryw", ws);
        Api.Response first = stack.api.postBatch(token, batch(ws, List.of(create("c1", "one", "One"),
                create("c2", "two", "Two"))));
        assertThat(first.status()).isEqualTo(200);
        String changeCursor = first.json().get("change_cursor").asString();

        JsonNode feed = ok(stack.api.get(token, "/api/v1/workspaces/" + ws + "/changes"));
        assertThat(feed.get("items")).hasSize(2);
        assertThat(feed.get("next_cursor").asString()).isEqualTo(changeCursor);
        String batchId = first.json().get("batch_id").asString();
        assertThat(ok(stack.api.get(token, "/api/v1/batches/" + batchId)).get("change_cursor").asString())
                .isEqualTo(changeCursor);

        // A 202 caller learns it from the poll; the feed after it holds exactly the later changes.
        Api.Response accepted = stack.api.postBatch(token, batch(ws, List.of(update("u", "one", 1L, "One again"))),
                Map.of("Prefer", "respond-async"));
        assertThat(accepted.status()).isEqualTo(202);
        String location = accepted.header("Location");
        JsonNode polled = await().atMost(Duration.ofSeconds(20)).until(
                () -> stack.api.get(token, location).json(), b -> b.get("status").asString().equals("completed"));
        JsonNode after = ok(stack.api.get(token, "/api/v1/workspaces/" + ws + "/changes?since=" + changeCursor));
        assertThat(after.get("items")).hasSize(1);
        assertThat(after.get("next_cursor").asString()).isEqualTo(polled.get("change_cursor").asString());
        assertThat(ok(stack.api.get(token, "/api/v1/workspaces/" + ws + "/changes?since="
                + polled.get("change_cursor").asString())).get("items")).isEmpty();

        // A batch that changed nothing still says where the feed stood after it.
        Api.Response failed = stack.api.postBatch(token, batch(ws, List.of(update("x", "missing", null, "X"))));
        assertThat(failed.json().get("failed").asInt()).isEqualTo(1);
        assertThat(ok(stack.api.get(token, "/api/v1/workspaces/" + ws + "/changes?since="
                + failed.json().get("change_cursor").asString())).get("items")).isEmpty();
    }

    @Test
    void hostileSnapshotAndStateParametersAreRefusedWithAPointer() {
        String ws = Batches.workspace("ws_hostile_snap");
        String token = stack.editor("hostile", ws);
        stack.api.postBatch(token, batch(ws, List.of(create("c", "doc", "Doc"), create("c2", "doc2", "Doc"))));
        String changeCursor = ok(stack.api.get(token, "/api/v1/workspaces/" + ws + "/changes")).get("next_cursor")
                .asString();
        String snapshotCursor = ok(stack.api.get(token, "/api/v1/workspaces/" + ws + "/snapshot?limit=1"))
                .get("next_cursor").asString();
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("snapshot?cursor=garbage", "/query/cursor");
        cases.put("snapshot?cursor=%00", "/query/cursor");
        cases.put("snapshot?cursor=" + changeCursor, "/query/cursor");
        cases.put("snapshot?cursor=" + cursor("s1:1.2"), "/query/cursor");
        cases.put("snapshot?cursor=" + cursor("s1:a.b.c.doc"), "/query/cursor");
        cases.put("snapshot?cursor=" + cursor("s1:1.2.3.do\u0000c"), "/query/cursor");
        cases.put("snapshot?limit=0", "/query/limit");
        cases.put("snapshot?limit=abc", "/query/limit");
        cases.put("snapshot?limit=100000", "/query/limit");
        cases.put("changes?include=states", "/query/include");
        cases.put("changes?include=%00", "/query/include");
        cases.put("changes?include=state&since=" + snapshotCursor, "/query/since");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Api.Response response = stack.api.get(token, "/api/v1/workspaces/" + ws + "/" + c.getKey());
            assertThat(response.status()).as(c.getKey() + ": " + response.text()).isEqualTo(400);
            assertThat(response.header("Content-Type")).as(c.getKey()).startsWith("application/problem+json");
            assertThat(response.json().get("errors").get(0).get("pointer").asString()).as(c.getKey())
                    .isEqualTo(c.getValue());
        }
        String stranger = stack.editor("stranger", Batches.workspace("ws_other"));
        for (String path : List.of("snapshot", "changes?include=state")) {
            Api.Response response = stack.api.get(stranger, "/api/v1/workspaces/" + ws + "/" + path);
            assertThat(response.status()).as(path).isEqualTo(404);
            assertThat(response.text()).doesNotContain("Doc");
        }
    }

    private static Map<String, Object> sized(String clientId, String documentId, int chars) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("client_id", clientId);
        op.put("operation", "create");
        op.put("document_id", documentId);
        op.put("data", Map.of("title", "", "content", "x".repeat(chars)));
        return op;
    }

    private static String cursor(String text) {
        return java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(text.translateEscapes().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static JsonNode ok(Api.Response response) {
        assertThat(response.status()).as(response.text().length() > 2000 ? response.text().substring(0, 2000)
                : response.text()).isEqualTo(200);
        return response.json();
    }
}
