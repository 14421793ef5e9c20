package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static dev.docsync.local.Batches.delete;
import static dev.docsync.local.Batches.update;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class HistoryAndFeedIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void timeTravelReturnsExactlyWhatWasWrittenAtEachVersionAndHistorySurvivesDeletion() {
        String ws = Batches.workspace("ws_history");
        String alice = stack.editor("alice", ws);
        String bob = stack.editor("bob", ws);
        stack.api.postBatch(alice, batch(ws, List.of(create("c", "doc", "First"))));
        stack.api.postBatch(bob, batch(ws, List.of(update("u1", "doc", 1L, "Second"))));
        stack.api.postBatch(alice, batch(ws, List.of(update("u2", "doc", 2L, "Third"))));
        stack.api.postBatch(bob, batch(ws, List.of(delete("d", "doc", 3L))));

        for (long v = 1; v <= 3; v++) {
            Api.Response at = stack.api.get(alice, "/api/v1/workspaces/" + ws + "/documents/doc?version=" + v);
            assertThat(at.status()).isEqualTo(200);
            assertThat(at.header("ETag")).isEqualTo("\"" + v + "\"");
            assertThat(at.json().get("title").asString()).isEqualTo(List.of("First", "Second", "Third").get((int) v - 1));
            assertThat(at.json().get("updated_by").asString()).isEqualTo(v == 2 ? "bob" : "alice");
        }
        assertThat(stack.api.get(alice, "/api/v1/workspaces/" + ws + "/documents/doc?version=4").status()).isEqualTo(410);
        assertThat(stack.api.get(alice, "/api/v1/workspaces/" + ws + "/documents/doc?version=5").status()).isEqualTo(404);

        JsonNode first = stack.api.get(alice, "/api/v1/workspaces/" + ws + "/documents/doc/history?limit=3").json();
        assertThat(first.get("items").valueStream().map(i -> i.get("version").asLong()).toList()).containsExactly(1L, 2L, 3L);
        assertThat(first.get("items").get(1).get("actor").asString()).isEqualTo("bob");
        assertThat(first.get("items").get(1).get("client_id").asString()).isEqualTo("u1");
        assertThat(first.get("items").get(0).get("operation").asString()).isEqualTo("create");
        JsonNode second = stack.api.get(alice, "/api/v1/workspaces/" + ws + "/documents/doc/history?limit=3&cursor="
                + first.get("next_cursor").asString()).json();
        assertThat(second.get("items").valueStream().map(i -> i.get("operation").asString()).toList())
                .containsExactly("delete");
        assertThat(second.get("next_cursor").isNull()).isTrue();
        assertThat(stack.api.get(stack.token("x", Map.of("ws_else", "admin")),
                "/api/v1/workspaces/" + ws + "/documents/doc/history").status()).isEqualTo(404);
    }

    @Test
    void theDocumentListPagesByKeysetAndHidesDeletedDocumentsUnlessAsked() {
        String ws = Batches.workspace("ws_list");
        String token = stack.editor("lister", ws);
        List<Map<String, Object>> ops = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ops.add(create("c" + i, "doc-" + i, "Doc " + i));
        }
        stack.api.postBatch(token, batch(ws, ops));
        stack.api.postBatch(token, batch(ws, List.of(delete("d", "doc-3", null))));

        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = stack.api.get(token, "/api/v1/workspaces/" + ws + "/documents?limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.get("items").forEach(item -> ids.add(item.get("document_id").asString()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
        } while (cursor != null);

        assertThat(ids).containsExactly("doc-0", "doc-1", "doc-2", "doc-4", "doc-5", "doc-6");
        JsonNode all = stack.api.get(token, "/api/v1/workspaces/" + ws + "/documents?include_deleted=true").json();
        assertThat(all.get("items")).hasSize(7);
        assertThat(all.get("items").get(3).get("deleted").asBoolean()).isTrue();
        assertThat(all.get("items").get(3).has("content")).isFalse();
        assertThat(stack.api.get(token, "/api/v1/workspaces/" + ws + "/documents?cursor=bogus").status()).isEqualTo(400);
    }

    @Test
    void pagingTheChangeFeedWhileWritersRunYieldsEveryChangeOnceInApplyOrder() throws Exception {
        String ws = Batches.workspace("ws_feed");
        String token = stack.editor("feeder", ws);
        stack.api.postBatch(token, batch(ws, List.of(create("c", "a", "A"), create("d", "b", "B"))));
        AtomicBoolean writing = new AtomicBoolean(true);
        List<JsonNode> seen = new ArrayList<>();
        int writers = 4;
        int batchesPerWriter = 15;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                running.add(pool.submit(() -> {
                    for (int i = 0; i < batchesPerWriter; i++) {
                        stack.api.postBatch(token, batch(ws, List.of(
                                update("u", writer % 2 == 0 ? "a" : "b", null, "w" + writer + "-" + i),
                                create("n", "w" + writer + "-" + i, "new"))));
                    }
                }));
            }
            String cursor = null;
            while (writing.get()) {
                writing.set(running.stream().anyMatch(f -> !f.isDone()));
                JsonNode page = stack.api.get(token, "/api/v1/workspaces/" + ws + "/changes?limit=7"
                        + (cursor == null ? "" : "&since=" + cursor)).json();
                page.get("items").forEach(seen::add);
                cursor = page.get("next_cursor").asString();
            }
            for (Future<?> f : running) {
                f.get();
            }
            JsonNode rest;
            do {
                rest = stack.api.get(token, "/api/v1/workspaces/" + ws + "/changes?limit=50&since=" + cursor).json();
                rest.get("items").forEach(seen::add);
                cursor = rest.get("next_cursor").asString();
            } while (!rest.get("items").isEmpty());
        }

        int expected = 2 + writers * batchesPerWriter * 2;
        assertThat(seen).hasSize(expected);
        Set<String> unique = new HashSet<>();
        for (JsonNode change : seen) {
            assertThat(unique.add(change.get("document_id").asString() + "@" + change.get("version").asLong())).isTrue();
        }
        List<Map<String, Object>> applyOrder = stack.jdbc.queryForList("""
                select document_id, version from document_versions where workspace_id = ?
                 order by log_partition, log_offset, apply_index""", ws);
        assertThat(seen.stream().map(c -> c.get("document_id").asString() + "@" + c.get("version").asLong()).toList())
                .containsExactlyElementsOf(applyOrder.stream()
                        .map(r -> r.get("document_id") + "@" + ((Number) r.get("version")).longValue()).toList());
    }
}
