package dev.docsync.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar bench/target/docsync-bench.jar [--smoke] [--out DIR] [--jar PATH]}: starts the local-mode jar
 * on a fresh data directory and runs every scenario side by side against it, then writes the results.
 */
public final class Bench {

    private Bench() {
    }

    /** Sizes of one run; {@link #SMOKE} only proves the bench works. */
    record Settings(int seedRounds, int latencyRequests, int[] clients, Duration perLevel, int throughputBatch,
            long baselineOperations, int baselineThreads) {
        static final Settings FULL = new Settings(50, 200, new int[] {1, 4, 16, 64}, Duration.ofSeconds(15), 100,
                200_000, 4);
        static final Settings SMOKE = new Settings(3, 10, new int[] {1, 4}, Duration.ofSeconds(2), 100, 2_000, 2);

        Map<String, Object> describe() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("seed_rounds", seedRounds);
            d.put("latency_requests", latencyRequests);
            d.put("clients", Arrays.toString(clients));
            d.put("seconds_per_level", perLevel.toSeconds());
            d.put("throughput_batch", throughputBatch);
            d.put("baseline_operations", baselineOperations);
            d.put("baseline_threads", baselineThreads);
            return d;
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> options = Arrays.asList(args);
        Settings settings = options.contains("--smoke") ? Settings.SMOKE : Settings.FULL;
        Path out = Path.of(option(options, "--out", "bench/results"));
        Path jar = Path.of(option(options, "--jar", "local/target/docsync-local.jar")).toAbsolutePath();
        Results results = run(settings, jar);
        Report.write(results, out);
        System.out.println(Report.markdown(results));
        System.out.println("[bench] results in " + out.toAbsolutePath());
    }

    static Results run(Settings settings, Path jar) throws Exception {
        Progress progress = new Progress();
        String java = ProcessHandle.current().info().command().orElse("java");
        Path data = Files.createTempDirectory("docsync-bench-");
        try (StackProcess stack = new StackProcess(java, jar, data)) {
            long startup = stack.start();
            progress.note("stack ready at " + stack.url() + " in " + startup + " ms");
            List<String> workspaces = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                workspaces.add("ws_bench_" + i);
            }
            Scenarios scenarios = new Scenarios(new Load(stack.url(), stack.token("bench", workspaces)), workspaces,
                    progress);
            Results.Latency[] seed = scenarios.seedComparison(settings.seedRounds());
            Results.Latency latency = scenarios.latency(settings.latencyRequests());
            List<Results.Throughput> throughput = new ArrayList<>();
            for (int clients : settings.clients()) {
                Results.Throughput point = scenarios.throughput(clients, settings.throughputBatch(), settings.perLevel());
                progress.note(String.format("%d clients: %,.0f ops/s, p99 %.1f ms", clients, point.opsPerSecond(),
                        point.latency().p99()));
                throughput.add(point);
            }
            progress.note("direct JDBC baseline...");
            Results.Baseline baseline = new Baseline(stack.endpoints())
                    .run(settings.baselineThreads(), 100, settings.baselineOperations(), settings.latencyRequests());
            progress.note("replay of the whole log...");
            long[] replay = stack.replay();
            Results.Memory memory = new Results.Memory(Memory.peakRssMiB(stack.pid()),
                    Memory.postgresRssMiB(data.resolve("postgres")));
            return new Results(machine(), settings.describe(), startup, seed[0], seed[1], seed[0].p50() / seed[1].p50(),
                    latency, throughput, baseline, new Results.Replay(replay[0], replay[1], replay[2]), memory);
        }
    }

    private static Map<String, String> machine() {
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
        machine.put("memory_mib", String.valueOf(totalMemoryMiB()));
        machine.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        machine.put("date", java.time.Instant.now().toString());
        return machine;
    }

    private static long totalMemoryMiB() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> l.replaceAll("[^0-9]", "")).mapToLong(Long::parseLong).findFirst().orElse(-1) / 1024;
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static String option(List<String> options, String name, String fallback) {
        int i = options.indexOf(name);
        return i >= 0 && i + 1 < options.size() ? options.get(i + 1) : fallback;
    }
}
