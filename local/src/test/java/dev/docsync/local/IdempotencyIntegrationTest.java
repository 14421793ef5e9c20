package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static dev.docsync.local.Batches.update;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** DESIGN §3.1 Idempotency-Key: a retried request returns the original batch and never applies twice. */
class IdempotencyIntegrationTest {

    private final TestStack stack = TestStack.get();

    private long counterVersion(String ws) {
        return stack.jdbc.queryForObject(
                "select version from documents where workspace_id = ? and document_id = 'counter'", Long.class, ws);
    }

    @Test
    void aRetryWithTheSameKeyAndBodyReturnsTheOriginalBatchAndAppliesNothing() {
        String ws = Batches.workspace("ws_idem");
        String token = stack.editor("retrier", ws);
        stack.api.postBatch(token, batch(ws, List.of(create("c", "counter", "0"))));
        String body = batch(ws, List.of(update("u", "counter", null, "once")));

        JsonNode first = stack.api.postBatch(token, body, Map.of("Idempotency-Key", "push-1")).json();
        long logAfterFirst = stack.log.totalEndOffset();
        Api.Response retry = stack.api.postBatch(token, body, Map.of("Idempotency-Key", "push-1"));

        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.json().get("batch_id").asString()).isEqualTo(first.get("batch_id").asString());
        assertThat(retry.json().get("results")).isEqualTo(first.get("results"));
        assertThat(counterVersion(ws)).isEqualTo(2);
        assertThat(stack.log.totalEndOffset()).isEqualTo(logAfterFirst);
    }

    @Test
    void theSameKeyInTwoWorkspacesIsTwoKeysInEitherOrderAndEachRetryAnswersItsOwnOriginal() {
        for (boolean firstA : List.of(true, false)) {
            String a = Batches.workspace("ws_key_a");
            String b = Batches.workspace("ws_key_b");
            String token = stack.token("two-desks", Map.of(a, "editor", b, "editor"));
            String bodyA = batch(a, List.of(create("c", "doc", "in a")));
            String bodyB = batch(b, List.of(create("c", "doc", "in b")));
            Map<String, String> key = Map.of("Idempotency-Key", "same-key");

            JsonNode first = stack.api.postBatch(token, firstA ? bodyA : bodyB, key).json();
            JsonNode second = stack.api.postBatch(token, firstA ? bodyB : bodyA, key).json();
            JsonNode retryA = stack.api.postBatch(token, bodyA, key).json();
            JsonNode retryB = stack.api.postBatch(token, bodyB, key).json();

            JsonNode originalA = firstA ? first : second;
            JsonNode originalB = firstA ? second : first;
            assertThat(first.get("successful").asInt()).as("first, a first: " + firstA).isEqualTo(1);
            assertThat(second.get("successful").asInt()).as("second, a first: " + firstA + ": " + second).isEqualTo(1);
            assertThat(retryA.get("batch_id").asString()).isEqualTo(originalA.get("batch_id").asString());
            assertThat(retryB.get("batch_id").asString()).isEqualTo(originalB.get("batch_id").asString());
            assertThat(stack.api.document(token, a, "doc").json().get("title").asString()).isEqualTo("in a");
            assertThat(stack.api.document(token, b, "doc").json().get("title").asString()).isEqualTo("in b");
        }
    }

    @Test
    void theSameKeyWithAnotherBodyIs422AndTheKeyBelongsToItsActor() {
        String ws = Batches.workspace("ws_idem_other");
        String alice = stack.editor("alice", ws);
        stack.api.postBatch(alice, batch(ws, List.of(create("c", "counter", "0"))));
        stack.api.postBatch(alice, batch(ws, List.of(update("u", "counter", null, "a"))), Map.of("Idempotency-Key", "k"));
        long before = stack.log.totalEndOffset();

        Api.Response reused = stack.api.postBatch(alice, batch(ws, List.of(update("u", "counter", null, "b"))),
                Map.of("Idempotency-Key", "k"));
        Api.Response otherActor = stack.api.postBatch(stack.editor("bob", ws),
                batch(ws, List.of(update("u", "counter", null, "a"))), Map.of("Idempotency-Key", "k"));

        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(otherActor.status()).isEqualTo(200);
        assertThat(counterVersion(ws)).isEqualTo(3);
        assertThat(stack.api.postBatch(alice, batch(ws, List.of(update("u", "counter", null, "a"))),
                Map.of("Idempotency-Key", "bad key with spaces")).status()).isEqualTo(400);
        assertThat(stack.log.totalEndOffset()).isGreaterThan(before);
    }

    @Test
    void aRetryAppendedWhileTheFirstIsStillPendingIsRecognisedByTheWorker() throws Exception {
        String ws = Batches.workspace("ws_idem_pending");
        String token = stack.editor("patient", ws);
        stack.api.postBatch(token, batch(ws, List.of(create("c", "counter", "0"))));
        String body = batch(ws, List.of(update("u", "counter", null, "pending once")));
        Map<String, String> headers = Map.of("Idempotency-Key", "pending-1", "Prefer", "respond-async");
        Api.Response first;
        Api.Response retry;
        try (HangingTransaction hold = new HangingTransaction(stack.log, ws)) {
            first = stack.api.postBatch(token, body, headers);
            retry = stack.api.postBatch(token, body, headers);
        }

        assertThat(first.status()).isEqualTo(202);
        assertThat(retry.status()).isEqualTo(202);
        String firstId = first.json().get("batch_id").asString();
        String retryId = retry.json().get("batch_id").asString();
        assertThat(retryId).as("the retry was stamped and appended as a batch of its own").isNotEqualTo(firstId);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode polledRetry = stack.api.get(token, retry.header("Location")).json();
            assertThat(polledRetry.get("status").asString()).isEqualTo("completed");
            assertThat(polledRetry.get("batch_id").asString()).isEqualTo(first.json().get("batch_id").asString());
        });
        assertThat(counterVersion(ws)).isEqualTo(2);
        assertThat(stack.jdbc.queryForObject("select duplicate_of::text from batch_results where batch_id = ?::uuid",
                String.class, retryId)).isEqualTo(firstId);
    }

    @Test
    void concurrentRetriesOfOnePushApplyOnceAndAllAnswerWithTheSameBatch() throws Exception {
        String ws = Batches.workspace("ws_idem_race");
        String token = stack.editor("racer", ws);
        stack.api.postBatch(token, batch(ws, List.of(create("c", "counter", "0"))));
        String body = batch(ws, List.of(update("u", "counter", null, "raced"), create("n", "side", "Side")));
        List<Callable<JsonNode>> retries = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            retries.add(() -> stack.api.postBatch(token, body, Map.of("Idempotency-Key", "race-1")).json());
        }

        Set<String> batchIds = new HashSet<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<JsonNode> answer : pool.invokeAll(retries)) {
                JsonNode json = answer.get();
                batchIds.add(json.get("batch_id").asString());
                assertThat(json.get("successful").asInt()).isEqualTo(2);
            }
        }

        assertThat(batchIds).hasSize(1);
        assertThat(counterVersion(ws)).isEqualTo(2);
        assertThat(stack.jdbc.queryForObject("""
                select count(*) from batch_results where workspace_id = ? and duplicate_of is null and total = 2""",
                Long.class, ws)).isEqualTo(1);
    }
}
