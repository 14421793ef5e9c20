package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §6.8: answers in flight are bounded. 200 connections of one viewer ask for a 9.5 MB document and never
 * read it: only the actor's share of the answer budget is held (the rest are refused at once with 429/503 and
 * Retry-After, before the document is loaded), and another tenant is still served promptly.
 * {@link RunLocalHeapJarIT} runs the same load against the jar under {@code ./run-local}'s heap.
 */
class UnreadAnswersIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void unreadLargeAnswersHoldOnlyTheirShareAndOthersAreServed() throws Exception {
        String ws = Batches.workspace("ws_unread");
        String document = UnreadAnswers.createLargeDocument(stack.api, stack.editor("writer", ws), ws);
        String neighbourWs = Batches.workspace("ws_unread_neighbour");

        UnreadAnswers.Outcome outcome = UnreadAnswers.run(stack.api,
                stack.token("reader", Map.of(ws, "viewer")), ws, document, 200,
                stack.editor("neighbour", neighbourWs), neighbourWs);
        System.out.printf("UNREAD ANSWERS %s; neighbour %d rounds, statuses %s, slowest %d ms%n",
                outcome.unreadStatuses(), outcome.neighbourRequests(),
                outcome.neighbourStatuses().stream().distinct().toList(), outcome.neighbourSlowestMillis());

        assertThat(outcome.unreadStatuses().keySet()).as("every unread connection got an answer at once")
                .allMatch(status -> status.equals("200") || status.equals("429") || status.equals("503"));
        assertThat(outcome.unreadStatuses().getOrDefault("200", 0))
                .as("answers held for one actor: its share (24 MB) holds two 9.5 MB documents").isLessThanOrEqualTo(3);
        assertThat(outcome.neighbourStatuses()).containsOnly(200);
        assertThat(outcome.neighbourSlowestMillis()).as("the neighbour's slowest request (ms)").isLessThan(1000);
    }
}
