package dev.docsync.bench;

import static dev.docsync.bench.MergeRequests.body;
import static dev.docsync.bench.MergeRequests.op;

import dev.docsync.bench.MergeRequests.Answer;
import dev.docsync.bench.Results.Latency;
import dev.docsync.bench.Results.Spread;
import dev.docsync.contracts.DocsyncJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;

/**
 * The three-way merge (issue 23, DESIGN §8 "merged update vs plain update"): what a merged update costs against a
 * plain one, the merge rate of two writers editing the same documents, and how long a pathological input takes to
 * be answered.
 */
final class Merges {

    /**
     * Sizes of one run. {@code rounds}: timed merged and plain batches per repetition (a tenth more warm up);
     * pathological inputs in one-character lines: base and theirs over the 4 MiB a batch's merges may read (the
     * largest body that fits, or {@code byteCapLines}), past the server's 100,000-line cap ({@code lineCapLines}),
     * and within it, where the diff-work cap stops a full-size one ({@code workCapLines}).
     */
    record Settings(int repetitions, int rounds, Duration twoWriters, int sharedDocuments, boolean largestBody,
            int byteCapLines, int lineCapLines, int workCapLines) {
        static final Settings FULL = new Settings(3, 100, Duration.ofSeconds(10), 20, true, 0, 1_000_000, 99_999);
        /** Seconds: a few rounds, one second of two writers, and the small end of each pathological input. */
        static final Settings SMOKE = new Settings(1, 2, Duration.ofSeconds(1), 5, false, 1_050_000, 100_001,
                2_000);
    }

    /** One repetition of 10-op batches of ~10 KB documents: plain updates vs stale updates that merge. */
    record MergedVsPlain(int repetition, Latency plain, Latency merged, double p50Ratio, double p99Ratio,
            long mergedOperations, long unexpected, long pending, String loadAverage) {
    }

    /**
     * One repetition of two writers on the same documents; {@code mergeRate} = merged / (merged + merge_conflict),
     * {@code conflictShare} = merge_conflict / all operations; {@code lostEdits}: merged answers whose state lacks
     * the writer's own edit (must be 0).
     */
    record TwoWriters(int repetition, int documents, double seconds, long operations, long success, long merged,
            long mergeConflicts, long other, double mergeRate, double conflictShare, double opsPerSecond,
            long lostEdits, String loadAverage) {
    }

    /**
     * One pathological input: base of {@code lines} one-character lines, theirs and mine each changing every fourth
     * line, interleaved (separated by one unchanged line, so a finished diff would merge them all). {@code
     * mergeMillis}: the stale merging update sent until its answer (polled when 202); {@code plainMillis}: theirs,
     * a plain update of the same size, for reference.
     */
    record Pathological(String input, int lines, long contentBytes, long bodyBytes, double plainMillis,
            double mergeMillis, String status, String code, String message, boolean withinBound, String loadAverage) {
    }

    record Outcome(Map<String, Object> settings, List<MergedVsPlain> mergedVsPlain, Spread plainP50,
            Spread plainP99, Spread mergedP50, Spread mergedP99, Spread p50Ratio, Spread p99Ratio,
            List<TwoWriters> twoWriters, Spread mergeRate, Spread conflictShare, Spread twoWriterOpsPerSecond,
            List<Pathological> pathological, double boundSeconds) {

        long unexpected() {
            return mergedVsPlain.stream().mapToLong(MergedVsPlain::unexpected).sum()
                    + twoWriters.stream().mapToLong(w -> w.other() + w.lostEdits()).sum()
                    + pathological.stream().filter(p -> !p.withinBound()).count();
        }
    }

    private record Input(String name, int lines) {
    }

    /** A pathological merge must be answered (merged or merge_conflict) within this, end to end. */
    static final Duration BOUND = Duration.ofSeconds(10);
    /** DESIGN §3.5: the request body limit. */
    static final int MAX_BODY = 10 * 1024 * 1024;
    private static final int LINES_PER_DOCUMENT = 200;
    private static final int PARAGRAPHS = 20;
    private static final int LINES_PER_PARAGRAPH = 5;
    private static final String FILLER = "lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod "
            + "tempor incididunt ut labore";

    private final StackProcess stack;
    private final Progress progress;
    private final MergeRequests requests;

    Merges(StackProcess stack, Progress progress) {
        this.stack = stack;
        this.progress = progress;
        this.requests = new MergeRequests(stack.url());
    }

    Outcome run(Settings settings) throws Exception {
        List<MergedVsPlain> costs = new ArrayList<>();
        for (int rep = 1; rep <= settings.repetitions(); rep++) {
            MergedVsPlain cost = mergedVsPlain(settings.rounds(), rep);
            progress.note(String.format(Locale.ROOT, "merged vs plain #%d: plain p50/p99 %.1f/%.1f ms, merged %.1f/%.1f"
                    + " ms, ratio p50 %.2f× p99 %.2f×; %d merged ops, %d unexpected; load %s", rep, cost.plain().p50(),
                    cost.plain().p99(), cost.merged().p50(), cost.merged().p99(), cost.p50Ratio(), cost.p99Ratio(),
                    cost.mergedOperations(), cost.unexpected(), cost.loadAverage()));
            costs.add(cost);
        }
        List<TwoWriters> writers = new ArrayList<>();
        for (int rep = 1; rep <= settings.repetitions(); rep++) {
            TwoWriters w = twoWriters(settings.sharedDocuments(), settings.twoWriters(), rep);
            progress.note(String.format(Locale.ROOT, "two writers #%d: %d ops, %d merged, %d merge_conflict (merge rate"
                    + " %.1f %%, conflicts %.1f %% of ops), %.0f ops/s, %d other, %d lost edits; load %s", rep,
                    w.operations(), w.merged(), w.mergeConflicts(), w.mergeRate(), w.conflictShare(), w.opsPerSecond(),
                    w.other(), w.lostEdits(), w.loadAverage()));
            writers.add(w);
        }
        List<Pathological> pathological = new ArrayList<>();
        int largest = settings.largestBody() ? largestLines() : settings.byteCapLines();
        String overBudget = "base + theirs over the 4 MiB a batch's merges may read"
                + (settings.largestBody() ? " (the largest body that fits)" : "");
        for (Input input : List.of(new Input(overBudget, largest),
                new Input("past the line cap", settings.lineCapLines()),
                new Input("within the line cap (diff-work cap)", settings.workCapLines()))) {
            Pathological p = pathological(input.name(), input.lines());
            progress.note(String.format(Locale.ROOT, "pathological merge, %s: %,d lines (%,d bytes): plain %.0f ms,"
                    + " merge %.0f ms -> %s %s (%s); load %s", p.input(), p.lines(), p.contentBytes(), p.plainMillis(),
                    p.mergeMillis(), p.status(), p.code(), p.message(), p.loadAverage()));
            pathological.add(p);
        }
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("repetitions", settings.repetitions());
        described.put("timed_rounds_per_repetition", settings.rounds());
        described.put("document", LINES_PER_DOCUMENT + " lines of ~51 bytes (~10 KB)");
        described.put("two_writers_seconds", settings.twoWriters().toMillis() / 1000.0);
        described.put("two_writers_documents", settings.sharedDocuments() + " of " + PARAGRAPHS + " paragraphs × "
                + LINES_PER_PARAGRAPH + " lines (~10 KB), 10-op batches, one random paragraph per op");
        described.put("pathological_bound_seconds", BOUND.toSeconds());
        return new Outcome(described, costs, spread(costs, c -> c.plain().p50()), spread(costs, c -> c.plain().p99()),
                spread(costs, c -> c.merged().p50()), spread(costs, c -> c.merged().p99()),
                spread(costs, MergedVsPlain::p50Ratio), spread(costs, MergedVsPlain::p99Ratio), writers,
                spread(writers, TwoWriters::mergeRate), spread(writers, TwoWriters::conflictShare),
                spread(writers, TwoWriters::opsPerSecond), pathological, BOUND.toMillis() / 1000.0);
    }

    /**
     * Ten ~10 KB documents; each round another writer changes line a of each (untimed), then a merged batch edits
     * line a+3 on the base from before that change (each must answer {@code merged} with both edits), and a plain
     * batch edits line a+6 on the current version. Odd rounds send the plain batch first.
     */
    private MergedVsPlain mergedVsPlain(int rounds, int repetition) throws Exception {
        String workspace = "ws_merge_cost_" + UUID.randomUUID().toString().substring(0, 8);
        String mine = stack.tokens().editor("bench-merge-mine", List.of(workspace));
        String other = stack.tokens().editor("bench-merge-other", List.of(workspace));
        List<Doc> docs = new ArrayList<>();
        List<Map<String, Object>> creates = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < LINES_PER_DOCUMENT; i++) {
                lines.add(String.format(Locale.ROOT, "%03d %s", i, FILLER.substring(0, 46)));
            }
            Doc doc = new Doc("m" + d, lines);
            docs.add(doc);
            creates.add(op("c" + d, "create", doc.id, 0, doc.text()));
        }
        expectAll(requests.send(mine, body(workspace, false, creates)), "success", docs);
        Histogram plain = Scenarios.histogram();
        Histogram merged = Scenarios.histogram();
        long[] unexpected = {0};
        long mergedOps = 0;
        long pending = 0;
        String loadBefore = loadAverage();
        int warmUp = Math.max(1, rounds / 10);
        for (int round = 0; round < rounds + warmUp; round++) {
            boolean timed = round >= warmUp;
            int a = (7 * round) % (LINES_PER_DOCUMENT - 10);
            if (round % 2 == 1) {
                Answer p = plainBatch(mine, workspace, docs, a + 6, round, unexpected);
                pending += p.pending();
                if (timed) {
                    plain.recordValue(p.micros());
                }
            }
            List<Map<String, Object>> theirs = new ArrayList<>();
            List<List<String>> stale = new ArrayList<>();
            for (int d = 0; d < docs.size(); d++) {
                Doc doc = docs.get(d);
                stale.add(new ArrayList<>(doc.lines));
                doc.lines.set(a, "changed on the server in round " + round);
                theirs.add(op("o" + d, "update", doc.id, doc.version, doc.text()));
            }
            long[] baseVersions = docs.stream().mapToLong(x -> x.version).toArray();
            unexpected[0] += expectAll(requests.send(other, body(workspace, false, theirs)), "success", docs);
            List<Map<String, Object>> merging = new ArrayList<>();
            for (int d = 0; d < docs.size(); d++) {
                List<String> edited = stale.get(d);
                edited.set(a + 3, "changed by mine in round " + round);
                docs.get(d).lines.set(a + 3, edited.get(a + 3));
                merging.add(op("op_" + d, "update", docs.get(d).id, baseVersions[d], String.join("\n", edited) + "\n"));
            }
            Answer m = requests.send(mine, body(workspace, true, merging));
            pending += m.pending();
            for (int d = 0; d < docs.size(); d++) {
                JsonNode result = m.json().get("results").get(d);
                String status = result.get("status").asString();
                JsonNode current = result.get("current");
                boolean bothEdits = current != null && !current.isNull()
                        && current.get("content").asString().equals(docs.get(d).text());
                if (status.equals("merged")) {
                    mergedOps++;
                    docs.get(d).version = result.get("version").asLong();
                }
                if (!status.equals("merged") || !bothEdits) {
                    unexpected[0]++;
                    resync(mine, workspace, docs.get(d));
                }
            }
            if (timed) {
                merged.recordValue(m.micros());
            }
            if (round % 2 == 0) {
                Answer p = plainBatch(mine, workspace, docs, a + 6, round, unexpected);
                pending += p.pending();
                if (timed) {
                    plain.recordValue(p.micros());
                }
            }
            progress.step("merged vs plain " + repetition, round + 1, rounds + warmUp);
        }
        Latency p = Latency.of(plain);
        Latency m = Latency.of(merged);
        return new MergedVsPlain(repetition, p, m, m.p50() / p.p50(), m.p99() / p.p99(), mergedOps, unexpected[0],
                pending, loadBefore + " → " + loadAverage());
    }

    private Answer plainBatch(String token, String workspace, List<Doc> docs, int line, int round, long[] unexpected)
            throws Exception {
        List<Map<String, Object>> ops = new ArrayList<>();
        for (int d = 0; d < docs.size(); d++) {
            Doc doc = docs.get(d);
            doc.lines.set(line, "changed by a plain update in round " + round);
            ops.add(op("op_" + d, "update", doc.id, doc.version, doc.text()));
        }
        Answer answer = requests.send(token, body(workspace, false, ops));
        unexpected[0] += expectAll(answer, "success", docs);
        return answer;
    }

    /**
     * Two writers, each pushing 10-op batches back to back for {@code duration}: every operation replaces one random
     * paragraph of a document, on the version this writer last saw, with {@code on_conflict: merge}. A writer's view
     * follows its answers: mine on success, the merged state on merged, theirs (keeping theirs) on merge_conflict.
     */
    private TwoWriters twoWriters(int documents, Duration duration, int repetition) throws Exception {
        String workspace = "ws_merge_two_" + UUID.randomUUID().toString().substring(0, 8);
        List<String> initial = new ArrayList<>();
        for (int p = 0; p < PARAGRAPHS; p++) {
            initial.add(paragraph(p, "the seed", 0));
        }
        String seeder = stack.tokens().editor("bench-merge-seed", List.of(workspace));
        List<Map<String, Object>> creates = new ArrayList<>();
        for (int d = 0; d < documents; d++) {
            creates.add(op("c" + d, "create", "shared-" + d, 0, String.join("\n\n", initial) + "\n"));
        }
        JsonNode created = requests.send(seeder, body(workspace, false, creates)).json();
        for (JsonNode r : created.get("results")) {
            if (!r.get("status").asString().equals("success")) {
                throw new IllegalStateException("seeding the two writers' documents answered " + r);
            }
        }
        String loadBefore = loadAverage();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        List<long[]> counts = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<long[]>> writers = new ArrayList<>();
            for (String name : List.of("alice", "bob")) {
                String token = stack.tokens().editor("bench-merge-" + name, List.of(workspace));
                writers.add(pool.submit(() -> writer(name, token, workspace, documents, initial, deadline)));
            }
            while (writers.stream().anyMatch(f -> !f.isDone())) {
                progress.step("two writers #" + repetition, (System.nanoTime() - start) / 1_000_000,
                        duration.toMillis());
                Thread.sleep(250);
            }
            for (Future<long[]> w : writers) {
                counts.add(w.get());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] sum = new long[5];
        counts.forEach(c -> Arrays.setAll(sum, i -> sum[i] + c[i]));
        long success = sum[0];
        long merged = sum[1];
        long conflicts = sum[2];
        long other = sum[3];
        long operations = success + merged + conflicts + other;
        return new TwoWriters(repetition, documents, seconds, operations, success, merged, conflicts, other,
                merged + conflicts == 0 ? 0 : 100.0 * merged / (merged + conflicts),
                operations == 0 ? 0 : 100.0 * conflicts / operations, operations / seconds, sum[4],
                loadBefore + " → " + loadAverage());
    }

    /** Counts: success, merged, merge_conflict, other, lost edits. */
    private long[] writer(String name, String token, String workspace, int documents, List<String> initial,
            long deadline) throws Exception {
        long[] counts = new long[5];
        List<View> views = new ArrayList<>();
        for (int d = 0; d < documents; d++) {
            views.add(new View("shared-" + d, 1, new ArrayList<>(initial)));
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int edits = 0;
        while (System.nanoTime() < deadline) {
            List<View> picked = new ArrayList<>(views);
            java.util.Collections.shuffle(picked, random);
            picked = picked.subList(0, Math.min(10, picked.size()));
            List<Map<String, Object>> ops = new ArrayList<>();
            List<String> mineLines = new ArrayList<>();
            List<String> mineTexts = new ArrayList<>();
            for (int i = 0; i < picked.size(); i++) {
                View view = picked.get(i);
                int p = random.nextInt(PARAGRAPHS);
                String replaced = paragraph(p, name, ++edits);
                List<String> paragraphs = new ArrayList<>(view.paragraphs);
                paragraphs.set(p, replaced);
                String text = String.join("\n\n", paragraphs) + "\n";
                mineLines.add(replaced.substring(0, replaced.indexOf('\n')));
                mineTexts.add(text);
                ops.add(op("op_" + i, "update", view.id, view.version, text));
            }
            JsonNode results = requests.send(token, body(workspace, true, ops)).json().get("results");
            for (int i = 0; i < picked.size(); i++) {
                View view = picked.get(i);
                JsonNode result = results.get(i);
                String status = result.get("status").asString();
                JsonNode error = result.get("error");
                String code = error == null || error.isNull() ? "" : error.get("code").asString();
                JsonNode current = result.get("current");
                if (status.equals("success")) {
                    counts[0]++;
                    view.follow(result.get("version").asLong(), mineTexts.get(i));
                } else if (status.equals("merged")) {
                    counts[1]++;
                    String text = current.get("content").asString();
                    if (!text.contains(mineLines.get(i))) {
                        counts[4]++;
                    }
                    view.follow(result.get("version").asLong(), text);
                } else if (status.equals("conflict") && code.equals("merge_conflict")) {
                    counts[2]++;
                    view.follow(current.get("version").asLong(), current.get("content").asString());
                } else {
                    counts[3]++;
                    JsonNode now = requests.get(token, "/api/v1/workspaces/" + workspace + "/documents/" + view.id);
                    view.follow(now.get("version").asLong(), now.get("content").asString());
                }
            }
        }
        return counts;
    }

    private static String paragraph(int p, String by, int edit) {
        StringBuilder text = new StringBuilder();
        for (int l = 0; l < LINES_PER_PARAGRAPH; l++) {
            text.append(l == 0 ? "" : "\n").append(String.format(Locale.ROOT, "paragraph %02d line %d by %s #%d: %s",
                    p, l, by, edit, FILLER.substring(0, 60)));
        }
        return text.toString();
    }

    /** The body of {@code lines} one-character lines: the largest that fits in one batch body, less 1 KiB. */
    private static int largestLines() {
        String envelope = DocsyncJson.mapper().writeValueAsString(body("ws_merge_patho_00000000", true,
                List.of(op("op_0", "update", "patho", 1, ""))));
        return (MAX_BODY - 1024 - envelope.length()) / 3;
    }

    /**
     * Base: {@code lines} lines "a"; theirs changes lines 0, 4, 8, ... to "b"; mine changes lines 2, 6, 10, ... to
     * "c" on the base. Theirs is sent as a plain update, then mine with {@code on_conflict: merge}.
     */
    private Pathological pathological(String input, int lines) throws Exception {
        String workspace = "ws_merge_patho_" + UUID.randomUUID().toString().substring(0, 8);
        String token = stack.tokens().editor("bench-merge-patho", List.of(workspace));
        char[] base = new char[lines * 2];
        for (int i = 0; i < lines; i++) {
            base[2 * i] = 'a';
            base[2 * i + 1] = '\n';
        }
        char[] theirs = base.clone();
        char[] mine = base.clone();
        for (int i = 0; i < lines; i += 4) {
            theirs[2 * i] = 'b';
            if (i + 2 < lines) {
                mine[2 * (i + 2)] = 'c';
            }
        }
        String loadBefore = loadAverage();
        Answer created = requests.send(token, body(workspace, false, List.of(op("c", "create", "patho", 0,
                new String(base)))));
        requireStatus(created, "success", "create");
        Answer plain = requests.send(token, body(workspace, false, List.of(op("op_0", "update", "patho", 1,
                new String(theirs)))));
        requireStatus(plain, "success", "theirs");
        String mineBody = DocsyncJson.mapper().writeValueAsString(body(workspace, true,
                List.of(op("op_0", "update", "patho", 1, new String(mine)))));
        Answer merge = requests.send(token, mineBody);
        JsonNode result = merge.json().get("results").get(0);
        String status = result.get("status").asString();
        JsonNode error = result.get("error");
        String code = error == null || error.isNull() ? "" : error.get("code").asString();
        String message = error == null || error.isNull() ? "" : error.get("message").asString();
        boolean answered = status.equals("merged") || code.equals("merge_conflict");
        return new Pathological(input, lines, base.length, mineBody.length(), plain.micros() / 1000.0,
                merge.micros() / 1000.0, status, code, message, answered && merge.micros() <= BOUND.toNanos() / 1000,
                loadBefore + " → " + loadAverage());
    }

    private static void requireStatus(Answer answer, String status, String what) {
        JsonNode result = answer.json().get("results").get(0);
        if (!result.get("status").asString().equals(status)) {
            throw new IllegalStateException("the pathological input's " + what + " answered " + result);
        }
    }

    /** After an unexpected answer the bench reads the document again, so later rounds measure what they should. */
    private void resync(String token, String workspace, Doc doc) throws Exception {
        JsonNode now = requests.get(token, "/api/v1/workspaces/" + workspace + "/documents/" + doc.id);
        doc.version = now.get("version").asLong();
        String content = now.get("content").asString();
        doc.lines.clear();
        doc.lines.addAll(Arrays.asList(content.substring(0, content.length() - 1).split("\n", -1)));
    }

    /** Unexpected statuses in {@code answer}; expected ones move their document's version on. */
    private static long expectAll(Answer answer, String status, List<Doc> docs) {
        long unexpected = 0;
        JsonNode results = answer.json().get("results");
        for (int d = 0; d < results.size(); d++) {
            JsonNode result = results.get(d);
            if (result.get("status").asString().equals(status)) {
                docs.get(d).version = result.get("version").asLong();
            } else {
                unexpected++;
            }
        }
        return unexpected;
    }

    /** The machine's 1/5/15-minute load averages (other helpers share it). */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static <T> Spread spread(List<T> runs, ToDoubleFunction<T> value) {
        return Spread.of(runs.stream().map(value::applyAsDouble).toList());
    }

    /** What the merged-vs-plain client knows of one document: its lines and version. */
    private static final class Doc {
        final String id;
        final List<String> lines;
        long version = 1;

        Doc(String id, List<String> lines) {
            this.id = id;
            this.lines = lines;
        }

        String text() {
            return String.join("\n", lines) + "\n";
        }
    }

    /** What one of the two writers last saw of a document. */
    private static final class View {
        final String id;
        long version;
        List<String> paragraphs;

        View(String id, long version, List<String> paragraphs) {
            this.id = id;
            this.version = version;
            this.paragraphs = paragraphs;
        }

        void follow(long version, String content) {
            this.version = version;
            this.paragraphs = new ArrayList<>(Arrays.asList(content.substring(0, content.length() - 1)
                    .split("\n\n", -1)));
        }
    }
}
