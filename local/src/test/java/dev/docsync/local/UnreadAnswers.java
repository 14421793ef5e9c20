package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The load shape of issue 19's "unread answers": a viewer token opens {@code connections} connections that ask
 * for a 9.5 MB document and never read the answer (only its status line), while another tenant keeps reading
 * and writing. Used in the shared stack and against the jar under {@code ./run-local}'s heap.
 */
final class UnreadAnswers {

    static final int DOCUMENT_CHARS = 9_500_000;

    /** What the load saw: the status lines of the unread answers, and the neighbour's statuses and latencies. */
    record Outcome(Map<String, Integer> unreadStatuses, List<Integer> neighbourStatuses, long neighbourSlowestMillis,
            int neighbourRequests) {
    }

    private UnreadAnswers() {
    }

    /** Creates the large document in {@code ws} (as {@code editor}) and returns its id. */
    static String createLargeDocument(Api api, String editorToken, String ws) {
        Map<String, Object> op = new LinkedHashMap<>(create("big", "big", "Big"));
        op.put("data", Map.of("title", "Big", "content", "x".repeat(DOCUMENT_CHARS)));
        Api.Response created = api.postBatch(editorToken, batch(ws, List.of(op)));
        if (created.status() != 200) {
            throw new IllegalStateException("could not create the large document: " + created.status());
        }
        return "big";
    }

    static Outcome run(Api api, String viewerToken, String ws, String documentId, int connections,
            String neighbourToken, String neighbourWs) throws Exception {
        URI base = URI.create(api.baseUrl());
        List<Socket> sockets = new ArrayList<>();
        List<CompletableFuture<String>> statuses = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                Socket socket = new Socket();
                // A small window: the kernel must not drain the answer on the reader's behalf.
                socket.setReceiveBufferSize(4096);
                socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
                socket.getOutputStream().write(("GET /api/v1/workspaces/" + ws + "/documents/" + documentId
                        + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + viewerToken + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                sockets.add(socket);
                CompletableFuture<String> status = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> status.complete(statusLine(socket)));
                statuses.add(status);
            }
            api.postBatch(neighbourToken, batch(neighbourWs, List.of(create("n", "n", "Neighbour"))));
            List<Integer> neighbourStatuses = new ArrayList<>();
            long slowest = 0;
            long started = System.nanoTime();
            int n = 0;
            // The neighbour reads and writes until every unread connection has its status line (or 30 s passed).
            do {
                long sent = System.nanoTime();
                neighbourStatuses.add(api.document(neighbourToken, neighbourWs, "n").status());
                neighbourStatuses.add(api.postBatch(neighbourToken,
                        batch(neighbourWs, List.of(create("m" + n, "m-" + n++, "More")))).status());
                slowest = Math.max(slowest, (System.nanoTime() - sent) / 1_000_000 / 2);
            } while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(30)
                    && !statuses.stream().allMatch(CompletableFuture::isDone));
            Map<String, Integer> unread = new TreeMap<>();
            statuses.forEach(s -> unread.merge(s.getNow("none yet"), 1, Integer::sum));
            return new Outcome(unread, neighbourStatuses, slowest, n);
        } finally {
            for (Socket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closed already
                }
            }
        }
    }

    /** Reads only the status line's code: the answer itself is never read. */
    private static String statusLine(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            byte[] line = new byte[12];
            return in.readNBytes(line, 0, 12) < 12 ? "closed" : new String(line, 9, 3, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "closed";
        }
    }
}
