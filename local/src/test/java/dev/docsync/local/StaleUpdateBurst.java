package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;

/**
 * Issue 19's live defect as a user meets it: one editor creates a ~9.5 MB document, then many clients come back
 * with one-line edits of it made against an old version ({@code Prefer: respond-async}). Every edit must complete
 * as a conflict whose answer carries the document as it is (or says {@code current_omitted}), and the stack must
 * keep applying everybody's writes.
 */
final class StaleUpdateBurst {

    static final int DOCUMENT_CHARS = 9_500_000;
    static final int STALE_UPDATES = 120;

    private StaleUpdateBurst() {
    }

    /** Creates the big document at version 2 in {@code ws}; returns its content. */
    static String createBigDocument(Api api, String token, String ws, String documentId) {
        String content = randomText(DOCUMENT_CHARS, 19);
        Map<String, Object> create = new LinkedHashMap<>();
        create.put("client_id", "c");
        create.put("operation", "create");
        create.put("document_id", documentId);
        create.put("data", Map.of("title", "big", "content", content));
        Api.Response created = api.postBatch(token, batch(ws, List.of(create)), Map.of("Prefer", "wait=60"));
        assertThat(created.status()).as(abbreviate(created.text())).isEqualTo(200);
        Api.Response renamed = api.postBatch(token,
                batch(ws, List.of(Batches.update("r", documentId, 1L, "big, renamed"))), Map.of("Prefer", "wait=60"));
        assertThat(renamed.status()).as(abbreviate(renamed.text())).isEqualTo(200);
        assertThat(renamed.json().get("results").get(0).get("version").asLong()).isEqualTo(2);
        return content;
    }

    /**
     * Sends {@link #STALE_UPDATES} one-line edits based on version 1, 16 at a time; returns their batch ids, and
     * last the id of one more such edit sent after all of them were acknowledged: it lies behind them in their
     * workspace's partition, so once it has applied, all of them have.
     */
    static List<UUID> sendStaleUpdates(Api api, String token, String ws, String documentId) {
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            List<CompletableFuture<UUID>> sent = new ArrayList<>();
            for (int i = 0; i < STALE_UPDATES; i++) {
                int n = i;
                sent.add(CompletableFuture.supplyAsync(() -> sendStaleUpdate(api, token, ws, documentId, n), pool));
            }
            List<UUID> ids = new ArrayList<>(sent.stream().map(CompletableFuture::join).toList());
            ids.add(sendStaleUpdate(api, token, ws, documentId, STALE_UPDATES));
            return ids;
        }
    }

    private static UUID sendStaleUpdate(Api api, String token, String ws, String documentId, int n) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("client_id", "stale-" + n);
        op.put("operation", "update");
        op.put("document_id", documentId);
        op.put("base_version", 1);
        op.put("data", Map.of("content", "one edited line " + n + "\n"));
        Api.Response response = api.postBatch(token, batch(ws, List.of(op)), Map.of("Prefer", "respond-async"));
        assertThat(response.status()).as(response.text()).isEqualTo(202);
        return UUID.fromString(response.json().get("batch_id").asString());
    }

    /**
     * Polls every batch until it completed (within {@code within} for all) and checks each answer: one conflict
     * whose {@code current} is the document at version 2, or {@code current_omitted}. Returns how many answers
     * carried the document.
     */
    static int assertEveryAnswerIsAConflictWithTheCurrentState(Api api, String token, List<UUID> batchIds,
            String documentId, String content, Duration within) {
        long started = System.nanoTime();
        long deadline = started + within.toNanos();
        int withCurrent = 0;
        for (UUID batchId : batchIds) {
            Api.Response[] answer = new Api.Response[1];
            await().atMost(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        answer[0] = api.get(token, "/api/v1/batches/" + batchId);
                        return answer[0].status() == 200
                                && "completed".equals(answer[0].json().get("status").asString());
                    });
            JsonNode result = answer[0].json().get("results").get(0);
            assertThat(result.get("status").asString()).as("batch " + batchId).isEqualTo("conflict");
            assertThat(result.get("version").asLong()).isEqualTo(2);
            if (result.has("current")) {
                JsonNode current = result.get("current");
                assertThat(current.get("document_id").asString()).isEqualTo(documentId);
                assertThat(current.get("version").asLong()).isEqualTo(2);
                assertThat(current.get("title").asString()).isEqualTo("big, renamed");
                assertThat(current.get("content").asString()).isEqualTo(content);
                withCurrent++;
            } else {
                assertThat(result.get("current_omitted").asBoolean()).as("batch " + batchId).isTrue();
            }
        }
        System.out.printf("STALE-BURST %d answers read and checked in %d ms%n", batchIds.size(),
                (System.nanoTime() - started) / 1_000_000);
        return withCurrent;
    }

    /** A neighbour workspace's synchronous write still applies promptly. */
    static void assertANeighbourStillApplies(Api api, String token, String ws) {
        long started = System.nanoTime();
        Api.Response response = api.postBatch(token, batch(ws, List.of(Batches.create("n", "n", "neighbour"))),
                Map.of("Prefer", "wait=20"));
        System.out.printf("STALE-BURST neighbour write answered %d in %d ms%n", response.status(),
                (System.nanoTime() - started) / 1_000_000);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(response.json().get("successful").asInt()).isEqualTo(1);
    }

    /** Letters and digits PostgreSQL cannot compress much (about 6 bits of entropy per character). */
    static String randomText(int length, long seed) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }
}
