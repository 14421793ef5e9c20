package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static dev.docsync.local.Batches.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two ingest instances on one log and one database: each one's synchronous callers get their results
 * (the apply transaction's signal reaches every instance), and a batch accepted by one is polled on the other.
 */
class SeveralIngestInstancesIntegrationTest {

    private static final TestStack stack = TestStack.get();
    private static ConfigurableApplicationContext second;
    private static Api secondApi;

    @BeforeAll
    static void startSecondInstance() {
        second = stack.stack.startAnotherIngest(Map.of());
        secondApi = new Api("http://localhost:" + LocalStack.httpPort(second));
    }

    @AfterAll
    static void stopSecondInstance() {
        second.close();
    }

    @Test
    void synchronousCallersOfEitherInstanceGetTheirResults() {
        String ws = Batches.workspace("ws_two");
        String token = stack.editor("twin", ws);

        Api.Response first = stack.api.postBatch(token, batch(ws, List.of(create("a", "doc", "From one"))));
        Api.Response other = secondApi.postBatch(token, batch(ws, List.of(update("b", "doc", 1L, "From two"))));

        assertThat(first.status()).isEqualTo(200);
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.json().get("results").get(0).get("version").asLong()).isEqualTo(2);
        assertThat(stack.api.document(token, ws, "doc").json().get("title").asString()).isEqualTo("From two");
    }

    @Test
    void aBatchAcceptedByOneInstanceIsPolledOnTheOther() {
        String ws = Batches.workspace("ws_two_poll");
        String token = stack.editor("twin", ws);

        Api.Response accepted = stack.api.postBatch(token, batch(ws, List.of(create("a", "doc", "Async"))),
                Map.of("Prefer", "respond-async"));

        assertThat(accepted.status()).isEqualTo(202);
        assertThat(secondApi.get(token, accepted.header("Location")).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                secondApi.get(token, accepted.header("Location")).json().get("status").asString())
                .isEqualTo("completed"));
    }
}
