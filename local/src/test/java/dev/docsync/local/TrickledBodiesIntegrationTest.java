package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §6.8: request bodies in flight cannot be held by slow senders. One token opens 85 connections whose
 * bodies (10 MiB down to 160 bytes, as {@code Content-Length} or chunked) arrive a byte at a time; meanwhile another
 * tenant's batches still answer 200 in under a second, and every trickled request is answered (408 when its body
 * is too slow, 429 beyond the actor's share of the body budget) instead of holding its share forever.
 */
class TrickledBodiesIntegrationTest {

    private static final int SIZES = 17;
    private static final int PER_SIZE = 5;

    private final TestStack stack = TestStack.get();

    @Test
    void slowBodiesFromOneTokenDoNotStarveAnotherTenant() throws Exception {
        String ws = Batches.workspace("ws_trickle");
        String token = stack.editor("trickler", ws);
        String neighbourWs = Batches.workspace("ws_trickle_neighbour");
        String neighbour = stack.editor("neighbour", neighbourWs);
        URI base = URI.create(stack.api.baseUrl());

        stack.api.postBatch(neighbour, batch(neighbourWs, List.of(create("warm", "warm", "Warm"))));
        List<Trickle> trickles = new ArrayList<>();
        ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int size = 0; size < SIZES; size++) {
                for (int i = 0; i < PER_SIZE; i++) {
                    // Largest first: the order that fills a budget reserved by declared length most tightly.
                    long length = (10L * 1024 * 1024) >> size;
                    trickles.add(Trickle.open(base, token, ws, length, i == PER_SIZE - 1));
                }
            }
            pace.scheduleAtFixedRate(() -> trickles.forEach(Trickle::sendOneByte), 0, 200, TimeUnit.MILLISECONDS);

            long started = System.nanoTime();
            List<Long> neighbourMillis = new ArrayList<>();
            List<Integer> neighbourStatuses = new ArrayList<>();
            int n = 0;
            // Another tenant keeps writing while the trickles hold their connections, until all are answered.
            while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(40)
                    && !trickles.stream().allMatch(t -> t.answer().isDone())) {
                long sent = System.nanoTime();
                Api.Response answer = stack.api.postBatch(neighbour,
                        batch(neighbourWs, List.of(create("n" + n, "n-" + n++, "Neighbour"))));
                neighbourMillis.add((System.nanoTime() - sent) / 1_000_000);
                neighbourStatuses.add(answer.status());
            }
            long heldMillis = (System.nanoTime() - started) / 1_000_000;
            Map<String, Integer> answers = new TreeMap<>();
            trickles.forEach(t -> answers.merge(t.answer().getNow("unanswered"), 1, Integer::sum));
            System.out.printf("TRICKLED BODIES %d connections answered %s after %d ms; neighbour: %d batches, "
                            + "statuses %s, slowest %d ms%n", trickles.size(), answers, heldMillis,
                    neighbourStatuses.size(), neighbourStatuses.stream().distinct().toList(),
                    neighbourMillis.stream().mapToLong(Long::longValue).max().orElse(-1));

            assertThat(neighbourStatuses).as("the neighbour's batches").isNotEmpty().containsOnly(200);
            assertThat(neighbourMillis).as("the neighbour's latencies (ms)").allMatch(ms -> ms < 1000);
            assertThat(answers).as("every trickled request is answered, none holds its share forever")
                    .doesNotContainKey("unanswered");
            assertThat(answers.keySet()).as("answers to the trickled requests").allMatch(
                    status -> List.of("408", "429", "503").contains(status)).contains("408");
        } finally {
            pace.shutdownNow();
            trickles.forEach(Trickle::close);
        }
    }

    /** One raw connection sending a batch whose body it delivers a byte at a time. */
    private record Trickle(Socket socket, OutputStream out, boolean chunked, CompletableFuture<String> answer) {

        static Trickle open(URI base, String token, String ws, long length, boolean chunked) throws IOException {
            Socket socket = new Socket(base.getHost(), base.getPort());
            OutputStream out = socket.getOutputStream();
            String head = "POST /api/v1/documents/batch HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\n"
                    + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + length + "\r\n") + "\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(chunk(("{\"workspace_id\": \"" + ws + "\", \"operations\": [").getBytes(StandardCharsets.UTF_8),
                    chunked));
            out.flush();
            CompletableFuture<String> answer = new CompletableFuture<>();
            Trickle trickle = new Trickle(socket, out, chunked, answer);
            Thread.ofVirtual().start(() -> answer.complete(trickle.readStatus()));
            return trickle;
        }

        private static byte[] chunk(byte[] data, boolean chunked) {
            if (!chunked) {
                return data;
            }
            byte[] head = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] framed = new byte[head.length + data.length + 2];
            System.arraycopy(head, 0, framed, 0, head.length);
            System.arraycopy(data, 0, framed, head.length, data.length);
            framed[framed.length - 2] = '\r';
            framed[framed.length - 1] = '\n';
            return framed;
        }

        void sendOneByte() {
            if (answer.isDone()) {
                return;
            }
            try {
                out.write(chunk(new byte[] {' '}, chunked));
                out.flush();
            } catch (IOException e) {
                // the server has answered and closed; the reader reports what it said
            }
        }

        /** The status code of the answer, or "closed" if the server closed the connection without one. */
        private String readStatus() {
            try {
                InputStream in = socket.getInputStream();
                byte[] line = new byte[12];
                int read = in.readNBytes(line, 0, line.length);
                return read < 12 ? "closed" : new String(line, 9, 3, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                return "closed";
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
