package dev.docsync.bench;

import dev.docsync.bench.Results.Spread;
import dev.docsync.contracts.DocsyncJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The merge scenarios' results as {@code merge.json} and {@code merge.md}, and their tables in {@code results.md}. */
final class MergeReport {

    private MergeReport() {
    }

    /** {@code merge.json} (with the machine) and {@code merge.md} in {@code directory}. */
    static void write(Merges.Outcome outcome, Path directory, Map<String, String> machine) throws IOException {
        Files.createDirectories(directory);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", machine);
        json.put("merges", outcome);
        Files.writeString(directory.resolve("merge.json"),
                DocsyncJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        String md = "# The three-way merge (issue 23)\n\nMachine: " + machine + "  \nSettings: " + outcome.settings()
                + "\n\n" + markdown(outcome);
        Files.writeString(directory.resolve("merge.md"), md);
        System.out.println(md);
    }

    /** The merge scenarios' tables, by repetition (also part of {@code results.md}). */
    static String markdown(Merges.Outcome o) {
        StringBuilder md = new StringBuilder();
        md.append("## Merged vs plain update: 10-op batches of ~10 KB documents, sequential client\n\n");
        md.append("| repetition | plain p50 / p99 ms | merged p50 / p99 ms | ratio p50 / p99 | merged ops | unexpected"
                + " | answered 202 (polled) | load average before → after |\n|---|---|---|---|---|---|---|---|\n");
        for (Merges.MergedVsPlain c : o.mergedVsPlain()) {
            md.append(String.format(Locale.ROOT, "| %d | %.1f / %.1f | %.1f / %.1f | %.2f× / %.2f× | %d | %d | %d | %s |%n",
                    c.repetition(), c.plain().p50(), c.plain().p99(), c.merged().p50(), c.merged().p99(),
                    c.p50Ratio(), c.p99Ratio(), c.mergedOperations(), c.unexpected(), c.pending(), c.loadAverage()));
        }
        md.append(String.format(Locale.ROOT, "| **median [range]** | %s / %s | %s / %s | %s / %s | | | | |%n%n",
                spread(o.plainP50(), "%.1f"), spread(o.plainP99(), "%.1f"), spread(o.mergedP50(), "%.1f"),
                spread(o.mergedP99(), "%.1f"), spread(o.p50Ratio(), "%.2f×"), spread(o.p99Ratio(), "%.2f×")));
        md.append("## Two writers on the same documents (on_conflict: merge)\n\n");
        md.append("| repetition | documents | seconds | ops | success | merged | merge_conflict | other | merge rate"
                + " | conflicts of all ops | ops/s | lost edits | load average before → after |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Merges.TwoWriters w : o.twoWriters()) {
            md.append(String.format(Locale.ROOT, "| %d | %d | %.1f | %,d | %,d | %,d | %,d | %d | %.1f %% | %.1f %% |"
                    + " %,.0f | %d | %s |%n", w.repetition(), w.documents(), w.seconds(), w.operations(), w.success(),
                    w.merged(), w.mergeConflicts(), w.other(), w.mergeRate(), w.conflictShare(), w.opsPerSecond(),
                    w.lostEdits(), w.loadAverage()));
        }
        md.append(String.format(Locale.ROOT, "| **median [range]** | | | | | | | | %s %% | %s %% | %s | | |%n%n",
                spread(o.mergeRate(), "%.1f"), spread(o.conflictShare(), "%.1f"),
                spread(o.twoWriterOpsPerSecond(), "%,.0f")));
        md.append("## Pathological inputs: one-character lines, theirs and mine each changing every fourth line,"
                + " interleaved\n\n");
        md.append("| input | lines | content bytes | body bytes | plain update of that size ms | merge answered in ms"
                + " | answer | within " + (long) o.boundSeconds() + " s | load average before → after |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        for (Merges.Pathological p : o.pathological()) {
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %,.0f | %,.0f | %s%s | %s | %s |%n",
                    p.input(), p.lines(), p.contentBytes(), p.bodyBytes(), p.plainMillis(), p.mergeMillis(),
                    p.status(), p.code().isEmpty() ? "" : " `" + p.code() + "`: " + p.message(),
                    p.withinBound() ? "yes" : "**no**", p.loadAverage()));
        }
        return md.append('\n').toString();
    }

    private static String spread(Spread s, String format) {
        String median = String.format(Locale.ROOT, format, s.median());
        return s.n() > 1 ? median + " [" + String.format(Locale.ROOT, format, s.min()) + "–"
                + String.format(Locale.ROOT, format, s.max()) + "]" : median;
    }
}
