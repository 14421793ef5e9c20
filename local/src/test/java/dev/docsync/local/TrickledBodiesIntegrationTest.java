package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §6.8: request bodies in flight cannot be held by slow senders. One token opens 85 connections whose
 * bodies (10 MiB down to 160 bytes, as {@code Content-Length} or chunked) arrive a byte at a time
 * ({@link TrickledBodies}); meanwhile another tenant's batches still answer 200 in under a second, and every
 * trickled request is answered (408 when its body is too slow, 429 beyond the actor's share of the body budget)
 * instead of holding its share forever.
 */
class TrickledBodiesIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void slowBodiesFromOneTokenDoNotStarveAnotherTenant() throws Exception {
        String ws = Batches.workspace("ws_trickle");
        String neighbourWs = Batches.workspace("ws_trickle_neighbour");

        TrickledBodies.Outcome outcome = TrickledBodies.run(stack.api, stack.editor("trickler", ws), ws,
                stack.editor("neighbour", neighbourWs), neighbourWs);
        System.out.printf("TRICKLED BODIES answered %s after %d ms; neighbour: %d batches, statuses %s, slowest %d ms"
                        + " (%d ms while the trickles connected)%n", outcome.answers(), outcome.heldMillis(),
                outcome.neighbourStatuses().size(), outcome.neighbourStatuses().stream().distinct().toList(),
                outcome.neighbourSlowestMillis(), outcome.neighbourSlowestDuringConnectMillis());

        assertThat(outcome.neighbourStatuses()).as("the neighbour's batches").isNotEmpty().containsOnly(200);
        // Starved, the neighbour would be refused (503) or wait for a trickle's body grace (10 s). Its median stays
        // under a second; single answers may not on a 2-core machine that runs the fault suites beside this test
        // (1.1 and 1.8 s seen there), so the bound on each is the grace's half.
        List<Long> latencies = outcome.neighbourMillis().stream().sorted().toList();
        assertThat(latencies).as("the neighbour's latencies (ms)").isNotEmpty().allMatch(ms -> ms < 5_000);
        assertThat(latencies.get(latencies.size() / 2)).as("the neighbour's median latency (ms)").isLessThan(1_000L);
        assertThat(outcome.answers()).as("every trickled request is answered, none holds its share forever")
                .doesNotContainKey("unanswered");
        assertThat(outcome.answers().keySet()).as("answers to the trickled requests").allMatch(
                status -> List.of("408", "429", "503").contains(status)).contains("408");
    }

    /** A body that stops coming is answered 408 after the grace (10 s), not after Tomcat's 60 s connection timeout. */
    @Test
    void aBodyThatStopsComingIsAnsweredRequestTimeout() throws Exception {
        String ws = Batches.workspace("ws_stalled");
        URI base = URI.create(stack.api.baseUrl());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/documents/batch HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + stack.editor("stalled", ws) + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                    + "{\"workspace_id\": \"" + ws + "\"").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long started = System.nanoTime();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            long millis = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("STALLED BODY answered \"%s\" after %d ms%n", answer, millis);

            assertThat(answer).startsWith("HTTP/1.1 408");
            assertThat(millis).isBetween(9_000L, 20_000L);
        }
    }
}
