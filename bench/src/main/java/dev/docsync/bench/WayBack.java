package dev.docsync.bench;

import dev.docsync.bench.Results.Spread;
import dev.docsync.contracts.DocsyncJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The way back (issue 21), side by side: a new client's bootstrap of a workspace of {@code documents} ~1 KB
 * documents the old way (change feed + one GET per document) and the new way (snapshot pages + the feed with
 * states); then live latency, from a writer's 200 to the event at another client's stream, with
 * {@code idleStreams} other streams open on the instance, and the stack's heap per idle stream.
 */
final class WayBack {

    record Bootstrap(String how, int requests, double seconds, long bytes, int documents) {
    }

    /** {@code eventsBeforeAnswer}: events that reached the other client before the writer had its 200 (0 ms). */
    record Live(int idleStreams, int writes, double p50Ms, double p99Ms, double maxMs, int eventsBeforeAnswer,
            long heapBeforeKiB, long heapAfterKiB, double heapKiBPerIdleStream) {
    }

    /**
     * {@code before} once (the old way, a reference); the new bootstrap and the live writes {@code repetitions}
     * times ({@code afterRuns}, {@code liveRuns}, with the same idle streams open); {@code after} and {@code live}
     * are the first of them.
     */
    record Outcome(Bootstrap before, Bootstrap after, Live live, List<Bootstrap> afterRuns, List<Live> liveRuns,
            Spread afterRequests, Spread afterSeconds, Spread liveP50, Spread liveP99) {

        static Outcome of(Bootstrap before, List<Bootstrap> afterRuns, List<Live> liveRuns) {
            return new Outcome(before, afterRuns.getFirst(), liveRuns.getFirst(), afterRuns, liveRuns,
                    spread(afterRuns, b -> b.requests()), spread(afterRuns, Bootstrap::seconds),
                    spread(liveRuns, Live::p50Ms), spread(liveRuns, Live::p99Ms));
        }

        private static <T> Spread spread(List<T> runs, java.util.function.ToDoubleFunction<T> value) {
            return Spread.of(runs.stream().map(value::applyAsDouble).toList());
        }
    }

    /** {@code way-back.json} and {@code way-back.md} in {@code directory}, against the targets of DESIGN §8. */
    static void write(Outcome outcome, Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("way-back.json"),
                DocsyncJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(outcome));
        StringBuilder md = new StringBuilder("# The way back: bootstrap and live (issue 21)\n\n");
        md.append("| bootstrap of ").append(outcome.after().documents())
                .append(" documents of ~1 KB | requests | seconds | bytes |\n|---|---|---|---|\n");
        List<Bootstrap> rows = new ArrayList<>(List.of(outcome.before()));
        rows.addAll(outcome.afterRuns());
        for (int i = 0; i < rows.size(); i++) {
            Bootstrap b = rows.get(i);
            md.append(String.format("| %s%s | %,d | %.2f | %,d |%n", b.how(), i == 0 ? "" : " #" + i, b.requests(),
                    b.seconds(), b.bytes()));
        }
        md.append("\nTarget: <= 25 requests and <= 5 s (measured here without a client's database: HTTP and JSON only).\n\n");
        Live live = outcome.live();
        md.append("| live: writer's 200 -> another client's event | value | target |\n|---|---|---|\n");
        for (int i = 0; i < outcome.liveRuns().size(); i++) {
            Live run = outcome.liveRuns().get(i);
            md.append(String.format("| #%d: p50 / p99 / max over %d writes, %,d idle streams open | %.1f / %.1f / %.1f"
                    + " ms | <= 50 / <= 250 ms |%n", i + 1, run.writes(), run.idleStreams(), run.p50Ms(), run.p99Ms(),
                    run.maxMs()));
            md.append(String.format("| #%d: events that arrived before the writer's 200 (counted as 0 ms) | %d of %d"
                    + " | |%n", i + 1, run.eventsBeforeAnswer(), run.writes()));
        }
        md.append(String.format("| heap per idle stream (used heap after full GC, before/after: %,d / %,d KiB) | "
                + "%.1f KiB | <= 100 KiB |%n", live.heapBeforeKiB(), live.heapAfterKiB(), live.heapKiBPerIdleStream()));
        Files.writeString(directory.resolve("way-back.md"), md.toString());
        System.out.println(md);
    }

    private static final Pattern USED = Pattern.compile("used (\\d+)K");
    private static final int GET_CONCURRENCY = 6;

    private final StackProcess stack;
    private final Progress progress;
    /** The stack's heap by class before and after the idle streams opened (written beside the results). */
    private List<String> histograms = List.of();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    WayBack(StackProcess stack, Progress progress) {
        this.stack = stack;
        this.progress = progress;
    }

    Outcome run(int documents, int writes, int idleStreams) throws Exception {
        return run(documents, writes, idleStreams, 1);
    }

    /** The old bootstrap once, the new one and the live writes {@code repetitions} times. */
    Outcome run(int documents, int writes, int idleStreams, int repetitions) throws Exception {
        String workspace = "wb_" + UUID.randomUUID().toString().substring(0, 8);
        String token = stack.tokens().editor("wayback-writer", List.of(workspace));
        seed(workspace, token, documents);
        Bootstrap before = before(workspace, token);
        progress.note(String.format("bootstrap before (feed + GET per document): %d requests, %.1f s, %,d bytes",
                before.requests(), before.seconds(), before.bytes()));
        List<Bootstrap> afterRuns = new ArrayList<>();
        for (int rep = 1; rep <= repetitions; rep++) {
            Bootstrap after = after(workspace, token);
            progress.note(String.format("bootstrap after (snapshot + feed with states) #%d: %d requests, %.1f s, %,d"
                    + " bytes", rep, after.requests(), after.seconds(), after.bytes()));
            afterRuns.add(after);
        }
        List<Live> liveRuns = live(workspace, token, writes, idleStreams, repetitions);
        for (Live live : liveRuns) {
            progress.note(String.format("live: p50 %.1f ms, p99 %.1f ms over %d writes with %d idle streams; heap %.1f"
                    + " KiB per idle stream", live.p50Ms(), live.p99Ms(), live.writes(), live.idleStreams(),
                    live.heapKiBPerIdleStream()));
        }
        return Outcome.of(before, afterRuns, liveRuns);
    }

    /** The heap histograms taken before and after the idle streams opened, to see what a stream holds. */
    void writeHistograms(Path directory) throws IOException {
        Files.createDirectories(directory);
        for (int i = 0; i < histograms.size(); i++) {
            Files.writeString(directory.resolve("way-back-heap-" + (i == 0 ? "before" : "after") + ".txt"),
                    histograms.get(i));
        }
    }

    private void seed(String workspace, String token, int documents) throws Exception {
        String filler = "lorem ipsum dolor sit amet ".repeat(38).substring(0, 1000);
        for (int from = 0; from < documents; from += 100) {
            StringBuilder ops = new StringBuilder();
            for (int i = from; i < Math.min(documents, from + 100); i++) {
                ops.append(ops.isEmpty() ? "" : ",").append("{\"client_id\":\"c").append(i)
                        .append("\",\"operation\":\"create\",\"document_id\":\"doc-").append(i)
                        .append("\",\"data\":{\"title\":\"Document ").append(i).append("\",\"content\":\"")
                        .append(i).append(' ').append(filler).append("\"}}");
            }
            String body = "{\"workspace_id\":\"" + workspace + "\",\"operations\":[" + ops + "]}";
            HttpResponse<String> response = http.send(request(token, "/api/v1/documents/batch")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                    .header("Prefer", "wait=60").build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("seeding answered " + response.statusCode() + ": " + response.body());
            }
            progress.step("way back: seeding", Math.min(documents, from + 100), documents);
        }
    }

    /** Today's pull: the change feed, then one GET per changed document (a few at a time, like a browser). */
    private Bootstrap before(String workspace, String token) throws Exception {
        long started = System.nanoTime();
        AtomicInteger requests = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        List<String> ids = new ArrayList<>();
        String since = null;
        while (true) {
            JsonNode page = get(token, "/api/v1/workspaces/" + workspace + "/changes?limit=1000"
                    + (since == null ? "" : "&since=" + since), requests, bytes);
            if (page.get("items").isEmpty()) {
                break;
            }
            page.get("items").forEach(item -> ids.add(item.get("document_id").asString()));
            since = page.get("next_cursor").asString();
        }
        List<String> distinct = ids.stream().distinct().toList();
        try (ExecutorService pool = Executors.newFixedThreadPool(GET_CONCURRENCY)) {
            List<Future<JsonNode>> gets = new ArrayList<>();
            for (String id : distinct) {
                gets.add(pool.submit(() -> get(token, "/api/v1/workspaces/" + workspace + "/documents/" + id,
                        requests, bytes)));
            }
            for (Future<JsonNode> get : gets) {
                get.get();
            }
        }
        return new Bootstrap("change feed + GET per document", requests.get(),
                (System.nanoTime() - started) / 1e9, bytes.get(), distinct.size());
    }

    /** The new way: snapshot pages, then the feed with states from the snapshot's feed cursor. */
    private Bootstrap after(String workspace, String token) throws Exception {
        long started = System.nanoTime();
        AtomicInteger requests = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        int documents = 0;
        String cursor = null;
        String feedCursor;
        do {
            JsonNode page = get(token, "/api/v1/workspaces/" + workspace + "/snapshot?limit=2000"
                    + (cursor == null ? "" : "&cursor=" + cursor), requests, bytes);
            documents += page.get("items").size();
            feedCursor = page.get("feed_cursor").asString();
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
        } while (cursor != null);
        JsonNode page;
        do {
            page = get(token, "/api/v1/workspaces/" + workspace + "/changes?include=state&limit=1000&since="
                    + feedCursor, requests, bytes);
            feedCursor = page.get("next_cursor").asString();
        } while (!page.get("items").isEmpty());
        return new Bootstrap("snapshot + change feed with states", requests.get(),
                (System.nanoTime() - started) / 1e9, bytes.get(), documents);
    }

    /** Opens {@code idleStreams} (the heap before and after), then times {@code rounds} rounds of writes. */
    private List<Live> live(String workspace, String writerToken, int writes, int idleStreams, int rounds)
            throws Exception {
        long heapBefore = heapUsedKiB();
        String histogramBefore = stack.jcmd("GC.class_histogram");
        List<InputStream> idle = Collections.synchronizedList(new ArrayList<>());
        try {
            for (int i = 0; i < idleStreams; i++) {
                String idleWorkspace = "wbi_" + i + "_" + workspace.substring(3);
                String token = stack.tokens().editor("wayback-idle-" + i, List.of(idleWorkspace));
                HttpResponse<InputStream> response = http.send(request(token,
                        "/api/v1/workspaces/" + idleWorkspace + "/changes/stream").header("Accept", "text/event-stream")
                        .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("idle stream " + i + " answered " + response.statusCode());
                }
                idle.add(response.body());
                if (i % 100 == 99) {
                    progress.step("way back: idle streams", i + 1, idleStreams);
                }
            }
            long heapAfter = heapUsedKiB();
            histograms = List.of(histogramBefore, stack.jcmd("GC.class_histogram"));

            Map<String, CompletableFuture<Long>> arrivals = new ConcurrentHashMap<>();
            String readerToken = stack.tokens().editor("wayback-reader", List.of(workspace));
            String since = latest(workspace, writerToken);
            HttpResponse<InputStream> listener = http.send(request(readerToken, "/api/v1/workspaces/" + workspace
                    + "/changes/stream?since=" + since).header("Accept", "text/event-stream").GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            Thread reader = Thread.ofVirtual().start(() -> readIds(listener.body(), arrivals));
            List<List<Double>> byRound = new ArrayList<>();
            try {
                for (int i = 0; i < writes * rounds; i++) {
                    if (i % writes == 0) {
                        byRound.add(new ArrayList<>());
                    }
                    List<Double> latencies = byRound.getLast();
                    String body = "{\"workspace_id\":\"" + workspace + "\",\"operations\":[{\"client_id\":\"u\","
                            + "\"operation\":\"update\",\"document_id\":\"doc-" + (i % 100) + "\",\"data\":{\"title\":"
                            + "\"live " + i + "\"}}]}";
                    HttpResponse<String> response = http.send(request(writerToken, "/api/v1/documents/batch")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                            .build(), HttpResponse.BodyHandlers.ofString());
                    long answered = System.nanoTime();
                    String changeCursor = DocsyncJson.mapper().readTree(response.body()).get("change_cursor").asString();
                    long arrived;
                    try {
                        arrived = arrival(arrivals, changeCursor).get(10, TimeUnit.SECONDS);
                    } catch (TimeoutException e) {
                        arrived = answered + Duration.ofSeconds(10).toNanos();
                    }
                    latencies.add((arrived - answered) / 1e6);
                    progress.step("way back: live writes", i + 1, (long) writes * rounds);
                }
            } finally {
                listener.body().close();
                reader.interrupt();
            }
            List<Live> runs = new ArrayList<>();
            for (List<Double> latencies : byRound) {
                List<Double> sorted = latencies.stream().map(l -> Math.max(0, l)).sorted().toList();
                runs.add(new Live(idleStreams, writes, percentile(sorted, 0.50), percentile(sorted, 0.99),
                        sorted.getLast(), (int) latencies.stream().filter(l -> l < 0).count(), heapBefore, heapAfter,
                        (heapAfter - heapBefore) / (double) Math.max(1, idleStreams)));
            }
            return runs;
        } finally {
            for (InputStream stream : idle) {
                try {
                    stream.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }

    private String latest(String workspace, String token) throws Exception {
        String since = null;
        while (true) {
            JsonNode page = get(token, "/api/v1/workspaces/" + workspace + "/changes?limit=1000"
                    + (since == null ? "" : "&since=" + since), new AtomicInteger(), new AtomicLong());
            String next = page.get("next_cursor").asString();
            if (page.get("items").isEmpty()) {
                return next;
            }
            since = next;
        }
    }

    private static CompletableFuture<Long> arrival(Map<String, CompletableFuture<Long>> arrivals, String id) {
        return arrivals.computeIfAbsent(id, k -> new CompletableFuture<>());
    }

    private static void readIds(InputStream body, Map<String, CompletableFuture<Long>> arrivals) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("id:")) {
                    long now = System.nanoTime();
                    arrival(arrivals, line.substring(3).strip()).complete(now);
                }
            }
        } catch (IOException e) {
            // closed at the end of the scenario
        }
    }

    /** The stack's used heap after a full collection, in KiB. */
    private long heapUsedKiB() throws IOException, InterruptedException {
        stack.jcmd("GC.run");
        stack.jcmd("GC.run");
        Matcher used = USED.matcher(stack.jcmd("GC.heap_info"));
        return used.find() ? Long.parseLong(used.group(1)) : -1;
    }

    private JsonNode get(String token, String path, AtomicInteger requests, AtomicLong bytes)
            throws IOException, InterruptedException {
        HttpResponse<byte[]> response;
        while (true) {
            response = http.send(request(token, path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            requests.incrementAndGet();
            bytes.addAndGet(response.body().length);
            if (response.statusCode() != 429) {
                break;
            }
            // As a client does: the per-actor rate limit (200/s) is part of what one GET per document costs.
            Thread.sleep(1000L * Long.parseLong(response.headers().firstValue("Retry-After").orElse("1")));
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + response.statusCode());
        }
        return DocsyncJson.mapper().readTree(response.body());
    }

    private HttpRequest.Builder request(String token, String path) {
        return HttpRequest.newBuilder(URI.create(stack.url() + path)).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + token);
    }

    private static double percentile(List<Double> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }
}
