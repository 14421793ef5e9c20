package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * DESIGN §3.1 and §6.8: one request's result and write amplification are bounded by its own size plus one copy
 * of each document it touches, whatever the documents' sizes.
 */
class BoundedWritesIntegrationTest {

    private static final int MIB = 1024 * 1024;

    private final TestStack stack = TestStack.get();

    @Test
    void ninetyNineRecreatesOfABigDocumentGetABoundedAnswerAndThePartitionKeepsApplying() {
        String ws = Batches.workspace("ws_recreate");
        String token = stack.editor("recreator", ws);
        List<Map<String, Object>> operations = new ArrayList<>();
        operations.add(create("first", "big", randomText(3 * MIB, 1)));
        for (int i = 0; i < 99; i++) {
            operations.add(create("again-" + i, "big", "small"));
        }

        Api.Response response = stack.api.postBatch(token, batch(ws, operations), Map.of("Prefer", "wait=60"));

        assertThat(response.status()).as(response.text().substring(0, Math.min(300, response.text().length())))
                .isEqualTo(200);
        assertThat(response.text().length()).as("response size").isLessThan(2 * 3 * MIB);
        JsonNode results = response.json().get("results");
        assertThat(results.get(0).get("status").asString()).isEqualTo("success");
        // The first re-create carries the document's state (3 MB, under the 10 MiB budget), the rest refer to it.
        assertThat(results.get(1).get("error").get("code").asString()).isEqualTo("already_exists");
        assertThat(results.get(1).get("current").get("content").asString()).hasSize(3 * MIB);
        for (int i = 2; i < 100; i++) {
            assertThat(results.get(i).has("current")).as("result " + i).isFalse();
            assertThat(results.get(i).get("current_omitted").asBoolean()).as("result " + i).isTrue();
        }
        PartitionProbe.assertEveryPartitionApplies(stack);
    }

    @Test
    void conflictsOnSeveralBigDocumentsCarryTheStatesThatFitTheBudgetInRequestOrder() {
        String ws = Batches.workspace("ws_conflicts");
        String token = stack.editor("conflicted", ws);
        int documents = 8;
        int size = 3 * MIB / 2; // over each state's share of the budget (10 MiB / 8): read only once chosen
        for (int d = 0; d < documents; d++) {
            Api.Response created = stack.api.postBatch(token, batch(ws, List.of(create("c" + d, "big-" + d,
                    randomText(size, 10 + d)))), Map.of("Prefer", "wait=60"));
            assertThat(created.status()).as(created.text()).isEqualTo(200);
        }
        List<Map<String, Object>> renames = new ArrayList<>();
        List<Map<String, Object>> stale = new ArrayList<>();
        for (int d = 0; d < documents; d++) {
            renames.add(Batches.update("r" + d, "big-" + d, 1L, "renamed " + d));
            stale.add(Batches.update("s" + d, "big-" + d, 1L, "stale " + d)); // on version 1, now 2: a conflict
        }
        assertThat(stack.api.postBatch(token, batch(ws, renames), Map.of("Prefer", "wait=60")).json()
                .get("successful").asInt()).isEqualTo(documents);

        Api.Response response = stack.api.postBatch(token, batch(ws, stale), Map.of("Prefer", "wait=60"));

        assertThat(response.status()).isEqualTo(200);
        JsonNode results = response.json().get("results");
        // 6 states of 1.5 MiB fit the 10 MiB budget, in request order; the 7th and 8th do not.
        for (int d = 0; d < documents; d++) {
            JsonNode result = results.get(d);
            assertThat(result.get("status").asString()).as("result " + d).isEqualTo("conflict");
            if (d < 6) {
                assertThat(result.get("current").get("content").asString()).as("result " + d)
                        .isEqualTo(randomText(size, 10 + d));
                assertThat(result.get("current").get("document_id").asString()).isEqualTo("big-" + d);
            } else {
                assertThat(result.has("current")).as("result " + d).isFalse();
                assertThat(result.get("current_omitted").asBoolean()).as("result " + d).isTrue();
            }
        }
    }

    @Test
    void aHundredTitleUpdatesOfATenMebibyteDocumentDoNotWriteAHundredCopiesOfIt() {
        String ws = Batches.workspace("ws_amplify");
        String token = stack.editor("amplifier", ws);
        String content = randomText(10 * MIB - 4096, 2);
        Api.Response created = stack.api.postBatch(token, batch(ws, List.of(create("c", "huge", content))),
                Map.of("Prefer", "wait=60"));
        assertThat(created.status()).as(created.text()).isEqualTo(200);
        long before = databaseSize();
        List<Map<String, Object>> updates = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            updates.add(Batches.update("u" + i, "huge", null, "title " + i));
        }

        Api.Response updated = stack.api.postBatch(token, batch(ws, updates), Map.of("Prefer", "wait=60"));

        long grown = databaseSize() - before;
        System.out.printf("BOUNDED 100 title updates of a 10 MiB document grew the database by %.1f MiB%n",
                grown / (double) MIB);
        assertThat(updated.status()).as(updated.text()).isEqualTo(200);
        assertThat(updated.json().get("successful").asInt()).isEqualTo(100);
        assertThat(grown).isLessThan(40L * MIB);
        Api.Response atVersion50 = stack.api.get(token, "/api/v1/workspaces/" + ws + "/documents/huge?version=50");
        assertThat(atVersion50.json().get("title").asString()).isEqualTo("title 48");
        assertThat(atVersion50.json().get("content").asString()).isEqualTo(content);
    }

    private long databaseSize() {
        stack.jdbc.execute("checkpoint");
        return stack.jdbc.queryForObject("select pg_database_size(current_database())", Long.class);
    }

    private static Map<String, Object> create(String clientId, String documentId, String content) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("client_id", clientId);
        op.put("operation", "create");
        op.put("document_id", documentId);
        op.put("data", Map.of("title", documentId, "content", content));
        return op;
    }

    /** Letters and digits PostgreSQL cannot compress much (about 6 bits of entropy per character). */
    private static String randomText(int length, long seed) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }
}
