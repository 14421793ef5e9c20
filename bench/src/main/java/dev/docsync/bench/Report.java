package dev.docsync.bench;

import dev.docsync.contracts.DocsyncJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Writes a run's results as {@code results.json}, {@code results.md} and {@code results.html} (Chart.js inline). */
final class Report {

    private static final String CHART_JS = "/META-INF/resources/webjars/chart.js/4.4.1/dist/chart.umd.js";

    private record Row(String what, String measured, String target, String met) {
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

    private static List<Row> rows(Results r) {
        Results.Throughput best = r.bestThroughput();
        double efficiency = 100 * best.opsPerSecond() / r.baseline().opsPerSecond();
        double vsJdbc = r.batch10Ops().p50() / r.baseline().tenOpTransaction().p50();
        double replayShare = 100 * r.replay().eventsPerSecond() / r.baseline().opsPerSecond();
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("local mode start-up", r.startupMillis() + " ms", "—", "—"));
        rows.add(new Row("10 single-document requests, p50", f(r.singles10().p50()) + " ms", "—", "—"));
        rows.add(new Row("1 batch of 10, p50", f(r.batchOf10().p50()) + " ms", "—", "—"));
        rows.add(new Row("batch of 10 vs 10 singles", f(r.batchSpeedup()) + "×", "≥ 6.7× (aim ≥ 10×)",
                met(r.batchSpeedup() >= 6.7)));
        rows.add(new Row("10-op batch p50", f(r.batch10Ops().p50()) + " ms", "≤ 25 ms", met(r.batch10Ops().p50() <= 25)));
        rows.add(new Row("10-op batch p99", f(r.batch10Ops().p99()) + " ms", "≤ 100 ms", met(r.batch10Ops().p99() <= 100)));
        for (Results.Throughput t : r.throughput()) {
            rows.add(new Row("throughput, " + t.clients() + " clients × batches of " + t.batchSize(),
                    f(t.opsPerSecond()) + " ops/s (p50 " + f(t.latency().p50()) + " ms, p99 " + f(t.latency().p99())
                            + " ms)", t == best ? "≥ 20,000 ops/s" : "—",
                    t == best ? met(t.opsPerSecond() >= 20_000) : "—"));
        }
        rows.add(new Row("direct JDBC baseline (" + r.baseline().threads() + " threads, batches of "
                + r.baseline().batchSize() + ")", f(r.baseline().opsPerSecond()) + " ops/s", "—", "—"));
        rows.add(new Row("throughput vs baseline", f(efficiency) + " %", "≥ 50 %", met(efficiency >= 50)));
        rows.add(new Row("10-op batch vs one 10-op JDBC transaction (p50)", f(vsJdbc) + "× ("
                + f(r.baseline().tenOpTransaction().p50()) + " ms)", "≤ 5×", met(vsJdbc <= 5)));
        rows.add(new Row("replay", f(r.replay().eventsPerSecond()) + " events/s (" + r.replay().events() + " events)",
                "≥ 50,000 and ≥ 50 % of baseline (" + f(replayShare) + " %)",
                met(r.replay().eventsPerSecond() >= 50_000 && replayShare >= 50)));
        rows.add(new Row("memory: stack JVM peak RSS + PostgreSQL PSS", r.memory().stackJvmPeakRssMiB() + " + "
                + r.memory().postgresPssMiB() + " MiB", "≤ 1024 MiB", met(r.memory().totalMiB() <= 1024)));
        return rows;
    }

    static String markdown(Results r) {
        StringBuilder md = new StringBuilder("# docsync bench\n\n");
        md.append("Machine: ").append(r.machine()).append("  \nSettings: ").append(r.settings()).append("\n\n");
        md.append("| what | measured | target | met |\n|---|---|---|---|\n");
        for (Row row : rows(r)) {
            md.append("| ").append(row.what()).append(" | ").append(row.measured()).append(" | ").append(row.target())
                    .append(" | ").append(row.met()).append(" |\n");
        }
        return md.toString();
    }

    private static String html(Results r) throws IOException {
        String chartJs;
        try (InputStream in = Report.class.getResourceAsStream(CHART_JS)) {
            chartJs = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder table = new StringBuilder("<table><tr><th>what</th><th>measured</th><th>target</th><th>met</th></tr>");
        for (Row row : rows(r)) {
            table.append("<tr><td>").append(row.what()).append("</td><td>").append(row.measured()).append("</td><td>")
                    .append(row.target()).append("</td><td>").append(row.met()).append("</td></tr>");
        }
        table.append("</table>");
        String latencyData = "[" + series(r.singles10()) + "," + series(r.batchOf10()) + "," + series(r.batch10Ops()) + "]";
        StringBuilder clients = new StringBuilder("[");
        StringBuilder ops = new StringBuilder("[");
        StringBuilder p99 = new StringBuilder("[");
        for (Results.Throughput t : r.throughput()) {
            clients.append(t.clients()).append(',');
            ops.append(Math.round(t.opsPerSecond())).append(',');
            p99.append(t.latency().p99()).append(',');
        }
        return """
                <!doctype html><html><head><meta charset="utf-8"><title>docsync bench</title>
                <style>body{font-family:sans-serif;max-width:1000px;margin:auto}td,th{border-bottom:1px solid #ccc;padding:4px 8px;text-align:left}</style>
                <script>%s</script></head><body>
                <h1>docsync bench</h1><p>Machine: %s<br>Settings: %s</p>%s
                <h2>Latency percentiles (ms)</h2><canvas id="latency"></canvas>
                <h2>Throughput (ops/s) and p99 latency (ms) by concurrent clients</h2><canvas id="throughput"></canvas>
                <script>
                const pct = ['p50','p90','p99','max'];
                const lat = %s;
                new Chart(document.getElementById('latency'), {type: 'bar', data: {labels: pct, datasets: [
                  {label: '10 single requests', data: lat[0]}, {label: '1 batch of 10', data: lat[1]},
                  {label: '10-op batch (sequential client)', data: lat[2]}]}});
                new Chart(document.getElementById('throughput'), {type: 'line', data: {labels: %s, datasets: [
                  {label: 'ops/s', data: %s, yAxisID: 'y'}, {label: 'p99 ms', data: %s, yAxisID: 'y1'}]},
                  options: {scales: {y: {position: 'left'}, y1: {position: 'right'}}}});
                </script></body></html>
                """.formatted(chartJs, r.machine(), r.settings(), table, latencyData, close(clients), close(ops), close(p99));
    }

    private static String series(Results.Latency l) {
        return "[" + l.p50() + "," + l.p90() + "," + l.p99() + "," + l.max() + "]";
    }

    private static String close(StringBuilder list) {
        if (list.charAt(list.length() - 1) == ',') {
            list.setLength(list.length() - 1);
        }
        return list.append(']').toString();
    }

    private static String f(double value) {
        return String.format(Locale.ROOT, value >= 100 ? "%,.0f" : "%.1f", value);
    }

    private static String met(boolean met) {
        return met ? "yes" : "**no**";
    }
}
