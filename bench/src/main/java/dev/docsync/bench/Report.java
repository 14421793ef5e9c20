package dev.docsync.bench;

import dev.docsync.bench.Results.BaselineCell;
import dev.docsync.bench.Results.ClosedLevel;
import dev.docsync.bench.Results.OpenRun;
import dev.docsync.bench.Results.OpenStep;
import dev.docsync.bench.Results.Spread;
import dev.docsync.contracts.DocsyncJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.function.ToDoubleFunction;

/** Writes a run's results as {@code results.json}, {@code results.md} and {@code results.html} (Chart.js inline). */
final class Report {

    private static final String CHART_JS = "/META-INF/resources/webjars/chart.js/4.4.1/dist/chart.umd.js";

    private record Table(String title, List<String> headers, List<List<String>> rows) {
        Table(String title, String... headers) {
            this(title, List.of(headers), new ArrayList<>());
        }

        void add(String... cells) {
            rows.add(List.of(cells));
        }

        String markdown() {
            StringBuilder md = new StringBuilder("## ").append(title).append("\n\n| ")
                    .append(String.join(" | ", headers)).append(" |\n|").append("---|".repeat(headers.size())).append('\n');
            rows.forEach(r -> md.append("| ").append(String.join(" | ", r)).append(" |\n"));
            return md.append('\n').toString();
        }

        String html() {
            StringBuilder html = new StringBuilder("<h2>").append(title).append("</h2><table><tr>");
            headers.forEach(h -> html.append("<th>").append(h).append("</th>"));
            html.append("</tr>");
            for (List<String> r : rows) {
                html.append("<tr>");
                r.forEach(c -> html.append("<td>").append(c.replaceAll("\\*\\*(.*?)\\*\\*", "<b>$1</b>")).append("</td>"));
                html.append("</tr>");
            }
            return html.append("</table>").toString();
        }
    }

    private Report() {
    }

    static void write(Results results, Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("results.json"),
                DocsyncJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(results));
        Files.writeString(directory.resolve("results.md"), markdown(results));
        Files.writeString(directory.resolve("results.html"), html(results));
    }

    /** Every DESIGN §8 target against its measurement: the median of the repetitions, with their range. */
    private static Table targets(Results r) {
        Table t = new Table("DESIGN §8 targets (median of " + r.settings().get("repetitions")
                + " repetitions, range in brackets)", "what", "measured", "target", "met");
        Results.Baseline b = r.baseline();
        t.add("local mode start-up", r.startupMillis() + " ms", "—", "—");
        t.add("10-op batch p50, sequential client (mixed ops)", ms(r.batch10P50()), "≤ 12 ms",
                met(r.batch10P50().median() <= 12));
        t.add("10-op batch p99, sequential client (mixed ops)", ms(r.batch10P99()), "≤ 50 ms",
                met(r.batch10P99().median() <= 50));
        t.add("10 single-document requests vs one batch of 10 (p50)", times(r.batchSpeedup()), "≥ 10×",
                met(r.batchSpeedup().median() >= 10));
        t.add("sustained open loop (batches of 100, mixed ops, one token per client; p99 ≤ 1 s, lag not growing)",
                ops(r.sustained()) + " ops/s (by sweep: " + r.sustainedBySweep() + ")", "≥ 20,000 ops/s",
                met(r.sustained().median() >= 20_000));
        t.add("highest answered rate in any open-loop step (capacity, whatever the latency)",
                f(r.openLoop().stream().flatMap(s -> s.runs().stream()).mapToDouble(OpenRun::opsPerSecond).max()
                        .orElse(0)) + " ops/s", "—", "—");
        double share = 100 * r.sustained().median() / b.best().median();
        t.add("sustained open loop vs strong baseline", f(share) + " %", "≥ 50 %", met(share >= 50));
        t.add("strong direct-JDBC baseline, best of " + b.cells().size() + " cells: " + b.bestTechnique() + ", "
                + b.bestConnections() + " connection(s), batches of " + b.batchSize(), ops(b.best()) + " ops/s", "—", "—");
        double vsJdbc = r.batch10P50().median() / b.tenOpP50().median();
        t.add("10-op batch vs the same 10 ops as one direct JDBC transaction (p50)",
                f(vsJdbc) + "× (JDBC " + ms(b.tenOpP50()) + ")", "≤ 5× (stretch)", met(vsJdbc <= 5));
        // On a shared machine throughput follows whatever CPU the others leave; CPU time per operation much less so.
        ClosedLevel widest = r.closedLoop().getLast();
        Spread stackCpu = Spread.of(widest.runs().stream().map(Results.ClosedRun::cpuMicrosPerOp).toList());
        BaselineCell bestCell = b.cells().stream().filter(c -> c.technique().equals(b.bestTechnique())
                && c.connections() == b.bestConnections()).findFirst().orElseThrow();
        double cheapest = b.cells().stream().mapToDouble(BaselineCell::cpuMicrosPerOp).filter(v -> v > 0).min()
                .orElse(0);
        t.add("CPU per operation: stack JVM + PostgreSQL, closed loop " + widest.clients() + " clients",
                f(stackCpu.median()) + " µs" + range(stackCpu), "—", "—");
        t.add("CPU per operation: baseline's PostgreSQL + JDBC client (best cell; cheapest cell)",
                f(bestCell.cpuMicrosPerOp()) + " µs; " + f(cheapest) + " µs", "—", "—");
        double cpuShare = 100 * cheapest / stackCpu.median();
        t.add("CPU-normalised efficiency: cheapest baseline CPU per op ÷ stack CPU per op", f(cpuShare) + " %",
                "— (for reference: the ≥ 50 % target is on throughput; CPU per op is steadier on a shared machine)",
                "—");
        double replayShare = 100 * r.replayEventsPerSecond().median() / b.best().median();
        t.add("replay from the log", ops(r.replayEventsPerSecond()) + " events/s ("
                + r.replay().stream().map(x -> String.valueOf(x.events())).toList() + " events; " + f(replayShare)
                + " % of the baseline)", "≥ 50,000 events/s and faster than the baseline",
                met(r.replayEventsPerSecond().median() >= 50_000 && replayShare > 100));
        t.add("memory: stack JVM peak RSS + PostgreSQL peak PSS", r.memory().stackJvmPeakRssMiB() + " + "
                + r.memory().postgresPeakPssMiB() + " = " + r.memory().totalMiB() + " MiB", "≤ 1024 MiB",
                met(r.memory().totalMiB() > 0 && r.memory().totalMiB() <= 1024));
        if (r.wayBack() != null) {
            wayBack(t, r.wayBack());
        }
        if (r.merges() != null) {
            merges(t, r.merges());
        }
        return t;
    }

    /** The way back's §8 rows: bootstrap and live, the median of the repetitions; heap per stream once. */
    private static void wayBack(Table t, WayBack.Outcome w) {
        WayBack.Bootstrap before = w.before();
        t.add("bootstrap of a new client, " + w.after().documents() + " documents of ~1 KB (snapshot + feed with"
                + " states; HTTP and JSON only, no client database)", whole(w.afterRequests()) + " requests, "
                + f(w.afterSeconds().median()) + " s" + range(w.afterSeconds()) + " (the old way, once: "
                + before.requests() + " requests, " + f(before.seconds()) + " s)", "≤ 25 requests and ≤ 5 s",
                met(w.afterRequests().median() <= 25 && w.afterSeconds().median() <= 5));
        WayBack.Live live = w.live();
        t.add("live: writer's 200 → another client's change event, " + live.idleStreams() + " idle streams open, "
                + live.writes() + " writes per repetition (p50)", ms(w.liveP50()), "≤ 50 ms",
                met(w.liveP50().median() <= 50));
        t.add("live: the same (p99)", ms(w.liveP99()), "≤ 250 ms", met(w.liveP99().median() <= 250));
        t.add("live: heap per idle stream (used heap after full GC, before/after opening them; one measurement)",
                f(live.heapKiBPerIdleStream()) + " KiB", "≤ 100 KiB", met(live.heapKiBPerIdleStream() <= 100));
    }

    /** The merge's §8 row (the ratio, the pathological input's bound) and the two writers' merge rate. */
    private static void merges(Table t, Merges.Outcome m) {
        t.add("merged vs plain update, 10-op batches of ~10 KB documents, sequential client (p50)", "merged "
                + ms(m.mergedP50()) + " vs plain " + ms(m.plainP50()) + ": " + ratio(m.p50Ratio()),
                "report the ratio", "—");
        t.add("merged vs plain update (p99)", "merged " + ms(m.mergedP99()) + " vs plain " + ms(m.plainP99()) + ": "
                + ratio(m.p99Ratio()), "report the ratio", "—");
        Merges.TwoWriters first = m.twoWriters().getFirst();
        t.add("two writers editing random paragraphs of the same " + first.documents() + " documents: merge rate,"
                + " merged ÷ (merged + merge_conflict)", f(m.mergeRate().median()) + " %" + range(m.mergeRate())
                + " (merge_conflict " + f(m.conflictShare().median()) + " % of all ops; " + ops(m.twoWriterOpsPerSecond())
                + " ops/s)", "report it", "—");
        for (Merges.Pathological p : m.pathological()) {
            t.add("pathological merge input, " + p.input() + ": " + String.format(Locale.ROOT, "%,d", p.lines())
                    + " one-character lines, both sides changed (answer end to end)", f(p.mergeMillis()) + " ms → "
                    + (p.code().isEmpty() ? p.status() : p.code()) + " (a plain update of that size: "
                    + f(p.plainMillis()) + " ms)", "bounded (answered within " + f(m.boundSeconds()) + " s)",
                    met(p.withinBound()));
        }
    }

    private static String whole(Spread s) {
        return String.format(Locale.ROOT, "%.0f", s.median())
                + (s.n() > 1 ? String.format(Locale.ROOT, " [%.0f–%.0f]", s.min(), s.max()) : "");
    }

    private static String ratio(Spread s) {
        String median = String.format(Locale.ROOT, "%.2f×", s.median());
        return s.n() > 1 ? median + String.format(Locale.ROOT, " [%.2f–%.2f]", s.min(), s.max()) : median;
    }

    private static Table openLoop(Results r) {
        Table t = new Table("Open loop: offered rate steps (batches of 100, mixed ops, 64 clients with a token each)",
                "offered ops/s", "answered ops/s", "p50 ms", "p99 ms", "lag at end (events)", "kept up",
                "CPU cores: stack / PostgreSQL / bench / other", "stack+PG CPU µs/op", "ops: success / conflict / error / unexpected",
                "requests: 202 / 429 / failed");
        for (OpenStep s : r.openLoop()) {
            t.add(ops(s.offered()), ops(s.opsPerSecond()), ms(s.p50()), ms(s.p99()), ops(s.lagEnd()),
                    s.keptUp() + " of " + s.runs().size(), cpu(s.runs().stream().map(OpenRun::cpu).toList()),
                    f(mean(s.runs(), OpenRun::cpuMicrosPerOp)),
                    sum(s.runs(), o -> o.ops().success()) + " / " + sum(s.runs(), o -> o.ops().conflict()) + " / "
                            + sum(s.runs(), o -> o.ops().error()) + " / " + sum(s.runs(), o -> o.ops().unexpected()),
                    sum(s.runs(), o -> o.ops().pending()) + " / " + sum(s.runs(), o -> o.ops().rateLimited()) + " / "
                            + sum(s.runs(), o -> o.ops().failed()));
        }
        return t;
    }

    private static Table closedLoop(Results r) {
        Table t = new Table("Closed loop: clients pushing batches back to back (one token each, mixed ops)",
                "clients", "ops/s", "p50 ms", "p99 ms", "CPU cores: stack / PostgreSQL / bench / other",
                "stack+PG CPU µs/op", "ops: success / conflict / error / unexpected", "requests: 202 / 429 / failed");
        for (ClosedLevel l : r.closedLoop()) {
            t.add(String.valueOf(l.clients()), ops(l.opsPerSecond()), ms(l.p50()), ms(l.p99()),
                    cpu(l.runs().stream().map(Results.ClosedRun::cpu).toList()),
                    f(l.runs().stream().mapToDouble(Results.ClosedRun::cpuMicrosPerOp).average().orElse(0)),
                    l.runs().stream().mapToLong(x -> x.ops().success()).sum() + " / "
                            + l.runs().stream().mapToLong(x -> x.ops().conflict()).sum() + " / "
                            + l.runs().stream().mapToLong(x -> x.ops().error()).sum() + " / "
                            + l.runs().stream().mapToLong(x -> x.ops().unexpected()).sum(),
                    l.runs().stream().mapToLong(x -> x.ops().pending()).sum() + " / "
                            + l.runs().stream().mapToLong(x -> x.ops().rateLimited()).sum() + " / "
                            + l.runs().stream().mapToLong(x -> x.ops().failed()).sum());
        }
        return t;
    }

    private static Table baseline(Results r) {
        Results.Baseline b = r.baseline();
        Table t = new Table("Strong baseline: technique × connections (tables seeded with " + b.seededDocuments()
                + " documents and " + b.seededVersions() + " versions, vacuumed)", "technique", "connections",
                "ops/s", "CPU cores: stack / PostgreSQL / bench / other (last repetition)", "PostgreSQL+bench CPU µs/op");
        for (BaselineCell c : b.cells()) {
            t.add(c.technique(), String.valueOf(c.connections()), ops(c.spread()), cpu(List.of(c.cpu())),
                    f(c.cpuMicrosPerOp()));
        }
        return t;
    }

    private static Table small(Results r) {
        Table t = new Table("Sequential client, by repetition", "repetition", "10 singles p50 ms", "batch of 10 p50 ms",
                "speedup", "10-op batch p50 / p99 ms", "of which stamp → apply p50 / p99 ms",
                "10-op JDBC transaction p50 / p99 ms");
        for (int i = 0; i < r.seed().size(); i++) {
            Results.Seed s = r.seed().get(i);
            Results.Latency l = r.batch10Ops().get(i);
            Results.Latency j = r.baseline().tenOpTransaction().get(i);
            Results.Latency log = r.batch10StampToApply().get(i);
            t.add(String.valueOf(i + 1), f(s.singles10().p50()), f(s.batchOf10().p50()), f(s.speedup()) + "×",
                    f(l.p50()) + " / " + f(l.p99()), f(log.p50()) + " / " + f(log.p99()), f(j.p50()) + " / " + f(j.p99()));
        }
        return t;
    }

    static String markdown(Results r) {
        StringBuilder md = new StringBuilder("# docsync bench\n\n");
        md.append("Machine: ").append(r.machine()).append("  \nSettings: ").append(r.settings()).append("\n\n");
        for (Table t : List.of(targets(r), openLoop(r), closedLoop(r), baseline(r), small(r))) {
            md.append(t.markdown());
        }
        if (r.merges() != null) {
            md.append(MergeReport.markdown(r.merges()));
        }
        return md.toString();
    }

    private static String html(Results r) throws IOException {
        String chartJs;
        try (InputStream in = Report.class.getResourceAsStream(CHART_JS)) {
            chartJs = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder tables = new StringBuilder();
        for (Table t : List.of(targets(r), openLoop(r), closedLoop(r), baseline(r), small(r))) {
            tables.append(t.html());
        }
        List<OpenStep> steps = r.openLoop();
        String stepLabels = list(steps.stream().map(s -> (double) s.offered()).toList(), "%.0f");
        String stepOps = list(steps.stream().map(s -> s.opsPerSecond().median()).toList(), "%.0f");
        String stepP99 = list(steps.stream().map(s -> s.p99().median()).toList(), "%.1f");
        String stepLag = list(steps.stream().map(s -> s.lagEnd().median()).toList(), "%.0f");
        String closedLabels = list(r.closedLoop().stream().map(l -> (double) l.clients()).toList(), "%.0f");
        String closedOps = list(r.closedLoop().stream().map(l -> l.opsPerSecond().median()).toList(), "%.0f");
        String closedP99 = list(r.closedLoop().stream().map(l -> l.p99().median()).toList(), "%.1f");
        Results.Seed seed = r.seed().getFirst();
        Results.Latency ten = r.batch10Ops().getFirst();
        String latencyData = "[" + series(seed.singles10()) + "," + series(seed.batchOf10()) + "," + series(ten) + "]";
        return """
                <!doctype html><html><head><meta charset="utf-8"><title>docsync bench</title>
                <style>body{font-family:sans-serif;max-width:1200px;margin:auto}table{border-collapse:collapse}td,th{border-bottom:1px solid #ccc;padding:4px 8px;text-align:left}</style>
                <script>%s</script></head><body>
                <h1>docsync bench</h1><p>Machine: %s<br>Settings: %s</p>%s
                <h2>Open loop: answered ops/s, p99 latency (from the intended send time) and apply lag by offered rate (medians)</h2><canvas id="open"></canvas>
                <h2>Closed loop: ops/s and p99 latency by concurrent clients (medians)</h2><canvas id="closed"></canvas>
                <h2>Latency percentiles, first repetition (ms)</h2><canvas id="latency"></canvas>
                <script>
                new Chart(document.getElementById('open'), {type: 'line', data: {labels: %s, datasets: [
                  {label: 'offered ops/s', data: %s, yAxisID: 'y', borderDash: [4, 4]},
                  {label: 'answered ops/s', data: %s, yAxisID: 'y'},
                  {label: 'apply lag at step end (events)', data: %s, yAxisID: 'y'},
                  {label: 'p99 ms', data: %s, yAxisID: 'y1'}]},
                  options: {scales: {x: {title: {display: true, text: 'offered ops/s'}}, y: {position: 'left', beginAtZero: true},
                    y1: {position: 'right', type: 'logarithmic', title: {display: true, text: 'p99 ms'}}}}});
                new Chart(document.getElementById('closed'), {type: 'line', data: {labels: %s, datasets: [
                  {label: 'ops/s', data: %s, yAxisID: 'y'}, {label: 'p99 ms', data: %s, yAxisID: 'y1'}]},
                  options: {scales: {y: {position: 'left', beginAtZero: true}, y1: {position: 'right'}}}});
                const pct = ['p50','p90','p99','max'];
                const lat = %s;
                new Chart(document.getElementById('latency'), {type: 'bar', data: {labels: pct, datasets: [
                  {label: '10 single requests', data: lat[0]}, {label: '1 batch of 10', data: lat[1]},
                  {label: '10-op mixed batch (sequential client)', data: lat[2]}]}});
                </script></body></html>
                """.formatted(chartJs, r.machine(), r.settings(), tables, stepLabels, stepLabels, stepOps, stepLag,
                stepP99, closedLabels, closedOps, closedP99, latencyData);
    }

    private static String list(List<Double> values, String format) {
        StringJoiner j = new StringJoiner(",", "[", "]");
        values.forEach(v -> j.add(String.format(Locale.ROOT, format, v)));
        return j.toString();
    }

    private static String series(Results.Latency l) {
        return "[" + l.p50() + "," + l.p90() + "," + l.p99() + "," + l.max() + "]";
    }

    private static String cpu(List<Cpu.Share> shares) {
        return f2(shares.stream().mapToDouble(Cpu.Share::stack).average().orElse(0)) + " / "
                + f2(shares.stream().mapToDouble(Cpu.Share::postgres).average().orElse(0)) + " / "
                + f2(shares.stream().mapToDouble(Cpu.Share::bench).average().orElse(0)) + " / "
                + f2(shares.stream().mapToDouble(Cpu.Share::other).average().orElse(0));
    }

    private static <T> double mean(List<T> values, ToDoubleFunction<T> f) {
        return values.stream().mapToDouble(f).average().orElse(0);
    }

    private static <T> long sum(List<T> values, java.util.function.ToLongFunction<T> f) {
        return values.stream().mapToLong(f).sum();
    }

    private static String ms(Spread s) {
        return f(s.median()) + " ms" + range(s);
    }

    private static String ops(Spread s) {
        return f(s.median()) + range(s);
    }

    private static String ops(double value) {
        return f(value);
    }

    private static String times(Spread s) {
        return f(s.median()) + "×" + range(s);
    }

    private static String range(Spread s) {
        return s.n() > 1 ? " [" + f(s.min()) + "–" + f(s.max()) + "]" : "";
    }

    private static String f(double value) {
        return String.format(Locale.ROOT, value >= 100 ? "%,.0f" : "%.1f", value);
    }

    private static String f2(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static String met(boolean met) {
        return met ? "yes" : "**no**";
    }
}
