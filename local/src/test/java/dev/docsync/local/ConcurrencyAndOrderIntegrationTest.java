package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static dev.docsync.local.Batches.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ConcurrencyAndOrderIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void twentyConcurrentUnconditionalUpdatesOfOneDocumentLoseNothing() throws Exception {
        String ws = Batches.workspace("ws_race");
        stack.api.postBatch(stack.editor("owner", ws), batch(ws, List.of(create("c", "hot", "Hot"))));
        int clients = 20;
        List<Callable<Long>> writers = IntStream.range(0, clients).<Callable<Long>>mapToObj(i -> () -> {
            Api.Response r = stack.api.postBatch(stack.editor("client-" + i, ws),
                    batch(ws, List.of(update("u", "hot", null, "by client " + i))));
            assertThat(r.status()).isEqualTo(200);
            return r.json().get("results").get(0).get("version").asLong();
        }).toList();

        List<Long> versions = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Long> f : pool.invokeAll(writers)) {
                versions.add(f.get());
            }
        }

        assertThat(versions).containsExactlyInAnyOrderElementsOf(
                IntStream.rangeClosed(2, clients + 1).mapToObj(Long::valueOf).toList());
        assertThat(stack.api.document(stack.editor("owner", ws), ws, "hot").json().get("version").asLong())
                .isEqualTo(clients + 1);
        List<Map<String, Object>> history = stack.jdbc.queryForList("""
                select version, actor from document_versions where workspace_id = ? and document_id = 'hot'
                 order by version""", ws);
        assertThat(history).extracting(row -> ((Number) row.get("version")).longValue())
                .containsExactlyElementsOf(IntStream.rangeClosed(1, clients + 1).mapToObj(Long::valueOf).toList());
        assertThat(history.stream().skip(1).map(row -> row.get("actor")).distinct().count()).isEqualTo(clients);
    }

    @Test
    void aWorkspaceBlockedOnItsPartitionDoesNotHoldBackAnotherWorkspace() throws Exception {
        String blocked = workspaceOnPartition("ws_blocked", p -> true);
        int blockedPartition = LogInspector.partitionOf(blocked);
        String free = workspaceOnPartition("ws_free", p -> p != blockedPartition);

        Api.Response waiting;
        try (HangingTransaction hanging = new HangingTransaction(stack.log, blocked)) {
            waiting = stack.api.postBatch(stack.editor("u", blocked),
                    batch(blocked, List.of(create("c", "late", "Late"))), Map.of("Prefer", "wait=1"));
            Api.Response other = stack.api.postBatch(stack.editor("u", free),
                    batch(free, List.of(create("c", "prompt", "Prompt"))));

            assertThat(waiting.status()).isEqualTo(202);
            assertThat(other.status()).isEqualTo(200);
        }

        String location = waiting.header("Location");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                stack.api.get(stack.editor("u", blocked), location).json().get("status").asString())
                .isEqualTo("completed"));
        assertThat(stack.api.document(stack.editor("u", blocked), blocked, "late").status()).isEqualTo(200);
    }

    @Test
    void oneWorkspacesBatchesApplyInLogOrder() throws Exception {
        String ws = Batches.workspace("ws_sequence");
        String token = stack.editor("seq", ws);
        stack.api.postBatch(token, batch(ws, List.of(create("c", "counter", "0"))));
        List<String> locations = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            Api.Response r = stack.api.postBatch(token, batch(ws, List.of(update("u", "counter", null, "" + i))),
                    Map.of("Prefer", "respond-async"));
            assertThat(r.status()).isEqualTo(202);
            locations.add(r.header("Location"));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> locations.stream()
                .allMatch(l -> stack.api.get(token, l).json().get("status").asString().equals("completed")));

        List<Map<String, Object>> history = stack.jdbc.queryForList("""
                select version, title from document_versions where workspace_id = ? and document_id = 'counter'
                 order by version""", ws);
        assertThat(history).hasSize(31);
        for (Map<String, Object> row : history) {
            assertThat(row.get("title")).isEqualTo(String.valueOf(((Number) row.get("version")).longValue() - 1));
        }
    }

    private static String workspaceOnPartition(String prefix, java.util.function.IntPredicate partition) {
        while (true) {
            String ws = Batches.workspace(prefix);
            if (partition.test(LogInspector.partitionOf(ws))) {
                return ws;
            }
        }
    }
}
