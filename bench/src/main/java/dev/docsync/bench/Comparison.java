package dev.docsync.bench;

import dev.docsync.bench.Results.ClosedRun;
import dev.docsync.bench.Results.Latency;
import dev.docsync.bench.Results.Spread;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * {@code --compare BEFORE.jar AFTER.jar [--rounds N] [--before-opts "..."] [--after-opts "..."]}: the before/after
 * of a change (of the jar, or of the JVM options it runs with), side by side in one run. Each
 * round starts the two stacks one after the other on fresh data directories (which goes first alternates, so the
 * drift of a shared machine hits both alike) and measures the sequential 10-op latency and a closed loop of 16
 * clients with its CPU per operation (stack JVM + PostgreSQL), the figure least moved by other load, and the peak
 * resident memory of each (the JVM's high-water mark, PostgreSQL's PSS sampled every second). Reports the medians of
 * the rounds with their spread and the after/before ratios.
 */
final class Comparison {

    private static final int LATENCY_REQUESTS = 200;
    private static final int CLOSED_CLIENTS = 16;
    private static final Duration CLOSED_FOR = Duration.ofSeconds(10);

    record Measured(Latency latency, ClosedRun closed, long jvmPeakMiB, long postgresPeakMiB) {
    }

    /** One side of the comparison: a jar and the JVM options its stack runs with. */
    record Side(Path jar, List<String> jvmOptions) {
        @Override
        public String toString() {
            return jar + (jvmOptions.isEmpty() ? "" : " " + String.join(" ", jvmOptions));
        }
    }

    private final Progress progress = new Progress();

    static void run(Side before, Side after, int rounds, Path out) throws Exception {
        new Comparison().compare(before, after, rounds, out);
    }

    private void compare(Side before, Side after, int rounds, Path out) throws Exception {
        List<Measured> befores = new ArrayList<>();
        List<Measured> afters = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            boolean beforeFirst = round % 2 == 1;
            for (int turn = 0; turn < 2; turn++) {
                boolean isBefore = beforeFirst == (turn == 0);
                Measured measured = measure(isBefore ? before : after, round);
                (isBefore ? befores : afters).add(measured);
                progress.note(String.format("round %d %s: 10-op p50 %.1f ms p99 %.1f ms; 16 clients %,.0f ops/s, "
                        + "%.0f µs CPU/op; peak memory %d + %d MiB", round, isBefore ? "before" : "after",
                        measured.latency().p50(), measured.latency().p99(), measured.closed().opsPerSecond(),
                        measured.closed().cpuMicrosPerOp(), measured.jvmPeakMiB(), measured.postgresPeakMiB()));
            }
        }
        String table = table(before, after, befores, afters);
        Files.createDirectories(out);
        Files.writeString(out.resolve("compare.md"), table);
        System.out.println(table);
    }

    /** A stack that cannot start (local mode picks free ports, and another process may take one first) is started again. */
    private Measured measure(Side side, int round) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return measureOnce(side, round);
            } catch (IOException | RuntimeException e) {
                if (attempt == 3) {
                    throw e;
                }
                progress.note("the stack of " + side.jar().getFileName() + " failed ("
                        + e.getMessage().lines().findFirst().orElse("") + "); starting it again");
            }
        }
    }

    private Measured measureOnce(Side side, int round) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path jar = side.jar();
        try (StackProcess stack = new StackProcess(java, jar, Files.createTempDirectory("docsync-compare-"),
                side.jvmOptions())) {
            stack.start();
            try (Memory.PostgresPeak postgresPeak = new Memory.PostgresPeak(stack.postgresData())) {
                Cpu cpu = new Cpu(stack.pid(), stack.postgresData());
                Scenarios scenarios = new Scenarios(new Load(stack.url()), cpu, progress);
                List<Client> clients = Bench.clients(stack).subList(0, CLOSED_CLIENTS);
                // Warm-up: the JIT compiles the hot paths of both stacks alike before anything is measured.
                scenarios.closedLoop(clients, 100, Duration.ofSeconds(8), 0);
                Latency latency = scenarios.latency(Bench.client(stack, "compare-seq", 4), LATENCY_REQUESTS, round)
                        .answered();
                ClosedRun closed = scenarios.closedLoop(clients, 100, CLOSED_FOR, round);
                return new Measured(latency, closed, Memory.peakRssMiB(stack.pid()),
                        Math.max(postgresPeak.peakMiB(), Memory.postgresRssMiB(stack.postgresData())));
            }
        } catch (IOException e) {
            throw new IOException("the stack of " + jar + " did not run: " + e.getMessage(), e);
        }
    }

    private static String table(Side before, Side after, List<Measured> befores, List<Measured> afters) {
        StringBuilder md = new StringBuilder();
        md.append("| median of ").append(befores.size()).append(" rounds (min–max) | before | after | after/before |\n");
        md.append("|---|---|---|---|\n");
        row(md, "10-op p50 (ms)", befores, afters, m -> m.latency().p50());
        row(md, "10-op p99 (ms)", befores, afters, m -> m.latency().p99());
        row(md, "16 clients, batches of 100: ops/s", befores, afters, m -> m.closed().opsPerSecond());
        row(md, "16 clients: p99 (ms)", befores, afters, m -> m.closed().latency().p99());
        row(md, "CPU per operation, stack + PostgreSQL (µs)", befores, afters, m -> m.closed().cpuMicrosPerOp());
        row(md, "of which PostgreSQL (cores)", befores, afters, m -> m.closed().cpu().postgres());
        row(md, "peak RSS, stack JVM (MiB)", befores, afters, m -> m.jvmPeakMiB());
        row(md, "peak PSS, PostgreSQL (MiB)", befores, afters, m -> m.postgresPeakMiB());
        row(md, "peak memory, JVM + PostgreSQL (MiB)", befores, afters, m -> m.jvmPeakMiB() + m.postgresPeakMiB());
        md.append("\nbefore: `").append(before).append("`, after: `").append(after).append("`\n");
        return md.toString();
    }

    private static void row(StringBuilder md, String name, List<Measured> befores, List<Measured> afters,
            ToDoubleFunction<Measured> value) {
        Spread b = Spread.of(befores.stream().map(value::applyAsDouble).toList());
        Spread a = Spread.of(afters.stream().map(value::applyAsDouble).toList());
        md.append(String.format("| %s | %s | %s | %.2f |%n", name, cell(b), cell(a),
                b.median() == 0 ? 0 : a.median() / b.median()));
    }

    private static String cell(Spread s) {
        return String.format("%,.1f (%,.1f–%,.1f)", s.median(), s.min(), s.max());
    }
}
