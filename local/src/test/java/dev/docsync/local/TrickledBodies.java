package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;

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

/**
 * The load shape of issue 19's "trickled bodies": one token opens 85 raw connections whose batch bodies (10 MiB
 * down to 160 bytes, largest first, one in five chunked) arrive a byte every 200 ms, while another tenant keeps
 * submitting batches until every trickled request is answered (or 40 s passed). Used in the shared stack and
 * against the jar under {@code ./run-local}'s heap.
 */
final class TrickledBodies {

    private static final int SIZES = 17;
    private static final int PER_SIZE = 5;

    /**
     * The answers to the trickled requests (status → count), and what the neighbour saw: the statuses of all its
     * batches, the latencies of those sent once the trickles' connections were all open and a second had passed
     * (the storm of 85 connections being accepted is another matter), and the slowest of all.
     */
    record Outcome(Map<String, Integer> answers, long heldMillis, List<Integer> neighbourStatuses,
            List<Long> neighbourMillis, long neighbourSlowestDuringConnectMillis) {
        long neighbourSlowestMillis() {
            return neighbourMillis.stream().mapToLong(Long::longValue).max().orElse(-1);
        }
    }

    private TrickledBodies() {
    }

    static Outcome run(Api api, String token, String ws, String neighbour, String neighbourWs) throws IOException {
        URI base = URI.create(api.baseUrl());
        api.postBatch(neighbour, batch(neighbourWs, List.of(create("warm", "warm", "Warm"))));
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
            long settled = started + TimeUnit.SECONDS.toNanos(1);
            long slowestDuringConnect = 0;
            List<Long> neighbourMillis = new ArrayList<>();
            List<Integer> neighbourStatuses = new ArrayList<>();
            int n = 0;
            // Another tenant keeps writing while the trickles hold their connections, until all are answered.
            while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(40)
                    && !trickles.stream().allMatch(t -> t.answer().isDone())) {
                long sent = System.nanoTime();
                Api.Response answer = api.postBatch(neighbour,
                        batch(neighbourWs, List.of(create("n" + n, "n-" + n++, "Neighbour"))));
                long millis = (System.nanoTime() - sent) / 1_000_000;
                if (sent >= settled) {
                    neighbourMillis.add(millis);
                } else {
                    slowestDuringConnect = Math.max(slowestDuringConnect, millis);
                }
                neighbourStatuses.add(answer.status());
            }
            long heldMillis = (System.nanoTime() - started) / 1_000_000;
            Map<String, Integer> answers = new TreeMap<>();
            trickles.forEach(t -> answers.merge(t.answer().getNow("unanswered"), 1, Integer::sum));
            return new Outcome(answers, heldMillis, neighbourStatuses, neighbourMillis, slowestDuringConnect);
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
