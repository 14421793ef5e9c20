package dev.docsync.bench;

import dev.docsync.bench.Results.ClosedLevel;
import dev.docsync.bench.Results.ClosedRun;
import dev.docsync.bench.Results.Latency;
import dev.docsync.bench.Results.OpenRun;
import dev.docsync.bench.Results.OpenStep;
import dev.docsync.bench.Results.Spread;
import dev.docsync.contracts.DocsyncJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * {@code java -jar bench/target/docsync-bench.jar [--smoke] [--out DIR] [--jar PATH]}: starts the local-mode jar on
 * a fresh data directory and runs every scenario side by side against it, then writes the results.
 * {@code --report results.json} writes the report again from a run's JSON;
 * {@code --only-open-loop [--record FILE.jfr]} runs one open-loop sweep after a warm-up, recording the stack with
 * JFR during the sweep only; {@code --jfr FILE.jfr} writes {@code profile.md} from such a recording;
 * {@code --compare BEFORE.jar AFTER.jar [--rounds N] [--before-opts "..."] [--after-opts "..."]} measures a change
 * of the jar or of its JVM options side by side ({@link Comparison});
 * {@code --only-way-back} runs just the bootstrap and live scenarios ({@link WayBack}), {@code --only-merge [--smoke]}
 * just the merge scenarios ({@link Merges}: {@code merge.md}, {@code merge.json}); every run also runs both.
 */
public final class Bench {

    private Bench() {
    }

    /** Sizes of one run; {@link #SMOKE} only proves the bench works. */
    record Settings(int repetitions, int seedRounds, int latencyRequests, int[] clients, Duration perLevel,
            int[] offeredRates, Duration perStep, int batchSize, int[] baselineConnections, Duration perBaselineCell,
            int replays) {
        static final Settings FULL = new Settings(3, 20, 100, new int[] {1, 4, 16, 64}, Duration.ofSeconds(8),
                new int[] {2_500, 5_000, 7_500, 10_000, 15_000, 20_000, 25_000}, Duration.ofSeconds(10), 100,
                new int[] {1, 2, 4, 8}, Duration.ofSeconds(2), 1);
        static final Settings SMOKE = new Settings(1, 2, 5, new int[] {1, 4}, Duration.ofSeconds(1),
                new int[] {1_000, 2_000}, Duration.ofMillis(1500), 100, new int[] {1, 2}, Duration.ofMillis(200), 1);

        /** Clients with a token each; the open loop spreads its requests over all of them. */
        static final int CLIENTS = 64;

        Map<String, Object> describe() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("repetitions", repetitions);
            d.put("seed_rounds_per_repetition", seedRounds);
            d.put("latency_requests_per_repetition", latencyRequests);
            d.put("closed_loop_clients", Arrays.toString(clients));
            d.put("closed_loop_seconds", perLevel.toMillis() / 1000.0);
            d.put("open_loop_offered_ops_per_second", Arrays.toString(offeredRates));
            d.put("open_loop_step_seconds", perStep.toMillis() / 1000.0);
            d.put("open_loop_clients", CLIENTS);
            d.put("batch_size", batchSize);
            d.put("mix_per_100_ops", "50 creates, 40 updates, 5 stale updates, 5 deletes");
            d.put("baseline_connections", Arrays.toString(baselineConnections));
            d.put("baseline_seconds_per_cell", perBaselineCell.toMillis() / 1000.0);
            d.put("replays", replays);
            d.put("stack_heap", StackProcess.STACK_HEAP);
            d.put("stack_malloc_arenas", StackProcess.RUN_LOCAL_MALLOC_ARENAS);
            String extra = System.getenv("DOCSYNC_BENCH_STACK_OPTS");
            if (extra != null && !extra.isBlank()) {
                d.put("stack_opts", extra);
            }
            return d;
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> options = Arrays.asList(args);
        Settings settings = options.contains("--smoke") ? Settings.SMOKE : Settings.FULL;
        Path out = Path.of(option(options, "--out", "bench/results"));
        Path jar = Path.of(option(options, "--jar", "local/target/docsync-local.jar")).toAbsolutePath();
        if (options.contains("--report")) {
            Results results = DocsyncJson.mapper().readValue(Path.of(option(options, "--report", "results.json"))
                    .toFile(), Results.class);
            Report.write(results, out);
            System.out.println(Report.markdown(results));
            return;
        }
        if (options.contains("--jfr")) {
            JfrProfile.write(Path.of(option(options, "--jfr", "stack.jfr")), out);
            System.out.println("[bench] " + out.resolve("profile.md").toAbsolutePath());
            return;
        }
        if (options.contains("--compare")) {
            int at = options.indexOf("--compare");
            Comparison.run(new Comparison.Side(Path.of(options.get(at + 1)).toAbsolutePath(),
                            jvmOptions(option(options, "--before-opts", ""))),
                    new Comparison.Side(Path.of(options.get(at + 2)).toAbsolutePath(),
                            jvmOptions(option(options, "--after-opts", ""))),
                    Integer.parseInt(option(options, "--rounds", "3")), out);
            return;
        }
        if (options.contains("--only-way-back")) {
            String java = ProcessHandle.current().info().command().orElse("java");
            try (StackProcess stack = new StackProcess(java, jar, Files.createTempDirectory("docsync-bench-"))) {
                Progress progress = new Progress();
                progress.note("stack ready in " + stack.start() + " ms");
                WayBack wayBack = new WayBack(stack, progress);
                WayBack.write(wayBack.run(10_000, 200, 1_000), out);
                wayBack.writeHistograms(out);
            }
            return;
        }
        if (options.contains("--only-merge")) {
            String java = ProcessHandle.current().info().command().orElse("java");
            try (StackProcess stack = new StackProcess(java, jar, Files.createTempDirectory("docsync-bench-"))) {
                Progress progress = new Progress();
                progress.note("stack ready in " + stack.start() + " ms");
                long started = System.nanoTime();
                MergeReport.write(new Merges(stack, progress).run(settings == Settings.SMOKE ? Merges.Settings.SMOKE
                        : Merges.Settings.FULL), out, machine());
                progress.note(String.format("merge scenarios took %.1f s", (System.nanoTime() - started) / 1e9));
            }
            return;
        }
        if (options.contains("--only-open-loop")) {
            openLoopOnly(settings, jar, options);
            return;
        }
        Results results = run(settings, jar, out);
        Report.write(results, out);
        System.out.println(Report.markdown(results));
        System.out.println("[bench] results in " + out.toAbsolutePath());
    }

    static Results run(Settings settings, Path jar, Path out) throws Exception {
        Progress progress = new Progress();
        String java = ProcessHandle.current().info().command().orElse("java");
        Path data = Files.createTempDirectory("docsync-bench-");
        try (StackProcess stack = new StackProcess(java, jar, data)) {
            long startup = stack.start();
            progress.note("stack ready at " + stack.url() + " in " + startup + " ms");
            try (Memory.PostgresPeak postgresPeak = new Memory.PostgresPeak(stack.postgresData())) {
                Cpu cpu = new Cpu(stack.pid(), stack.postgresData());
                Load load = new Load(stack.url());
                Scenarios scenarios = new Scenarios(load, cpu, progress);
                Client sequential = client(stack, "bench-seq", 4);
                List<Client> clients = clients(stack);
                int reps = settings.repetitions();

                List<Results.Seed> seed = new ArrayList<>();
                List<Latency> latency = new ArrayList<>();
                List<Latency> stampToApply = new ArrayList<>();
                for (int rep = 1; rep <= reps; rep++) {
                    seed.add(scenarios.seedComparison(sequential, settings.seedRounds(), rep));
                    Scenarios.TenOps tenOps = scenarios.latency(sequential, settings.latencyRequests(), rep);
                    latency.add(tenOps.answered());
                    stampToApply.add(tenOps.stampToApply());
                }

                List<List<ClosedRun>> closedRuns = new ArrayList<>();
                for (int ignored : settings.clients()) {
                    closedRuns.add(new ArrayList<>());
                }
                for (int rep = 1; rep <= reps; rep++) {
                    for (int i = 0; i < settings.clients().length; i++) {
                        int n = settings.clients()[i];
                        ClosedRun run = scenarios.closedLoop(clients.subList(0, n), settings.batchSize(),
                                settings.perLevel(), rep);
                        progress.note(String.format("closed loop %d clients #%d: %,.0f ops/s, p99 %.1f ms, cpu %s", n, rep,
                                run.opsPerSecond(), run.latency().p99(), run.cpu()));
                        closedRuns.get(i).add(run);
                    }
                }
                progress.note("after seed, 10-op latency and closed loops: " + Memory.soFar(stack.pid()));
                List<ClosedLevel> closed = new ArrayList<>();
                for (int i = 0; i < settings.clients().length; i++) {
                    List<ClosedRun> runs = closedRuns.get(i);
                    closed.add(new ClosedLevel(settings.clients()[i], settings.batchSize(), runs,
                            spread(runs, ClosedRun::opsPerSecond), spread(runs, x -> x.latency().p50()),
                            spread(runs, x -> x.latency().p99())));
                }

                OpenLoop openLoop = new OpenLoop(load, new LagProbe(stack.workerManagement()), cpu, progress);
                List<List<OpenRun>> openRuns = new ArrayList<>();
                for (int ignored : settings.offeredRates()) {
                    openRuns.add(new ArrayList<>());
                }
                List<Integer> sustainedBySweep = sweeps(settings, clients, openLoop, openRuns, progress, stack.pid());
                List<OpenStep> open = new ArrayList<>();
                for (int i = 0; i < settings.offeredRates().length; i++) {
                    List<OpenRun> runs = openRuns.get(i);
                    if (!runs.isEmpty()) {
                        open.add(new OpenStep(settings.offeredRates()[i], runs, spread(runs, OpenRun::opsPerSecond),
                                spread(runs, x -> x.latency().p50()), spread(runs, x -> x.latency().p99()),
                                spread(runs, x -> (double) x.lagEnd()), runs.stream().filter(OpenRun::keptUp).count()));
                    }
                }

                // PostgreSQL's peak under the stack's load only: the baseline's bulk copy and 8 extra backends are not
                // the local stack's memory.
                long postgresPeakUnderLoad = Math.max(postgresPeak.peakMiB(),
                        Memory.postgresRssMiB(stack.postgresData()));
                progress.note("strong direct-JDBC baseline...");
                Results.Baseline baseline = new Baseline(stack.endpoints(), cpu, progress).run(settings.batchSize(),
                        settings.baselineConnections(), settings.perBaselineCell(), reps, settings.latencyRequests());

                List<Results.Replay> replays = new ArrayList<>();
                for (int i = 1; i <= settings.replays(); i++) {
                    progress.note("replay of the whole log #" + i + "...");
                    long[] replay = stack.replay();
                    replays.add(new Results.Replay(replay[0], replay[1], replay[2]));
                    progress.note(String.format("replay: %,d events/s", replay[2]));
                }
                Results.Memory memory = new Results.Memory(Memory.peakRssMiB(stack.pid()), postgresPeakUnderLoad);
                // After the replay, so its events/s stay comparable with runs before the merge scenarios existed.
                long mergesStarted = System.nanoTime();
                Merges.Outcome merges = new Merges(stack, progress).run(settings == Settings.SMOKE
                        ? Merges.Settings.SMOKE : Merges.Settings.FULL);
                MergeReport.write(merges, out, machine());
                progress.note(String.format("merge scenarios took %.1f s; %s", (System.nanoTime() - mergesStarted) / 1e9,
                        Memory.soFar(stack.pid())));
                WayBack.Outcome wayBack = wayBack(stack, progress, settings);
                progress.note("after the way back (bootstrap, 1,000 live streams): " + Memory.soFar(stack.pid()));
                WayBack.write(wayBack, out);
                return new Results(machine(), settings.describe(), startup, seed,
                        spread(seed, Results.Seed::speedup), latency, spread(latency, Latency::p50),
                        spread(latency, Latency::p99), stampToApply, closed, open, sustainedBySweep,
                        Spread.of(sustainedBySweep.stream().map(Integer::doubleValue).toList()), baseline, replays,
                        spread(replays, Results.Replay::eventsPerSecond), memory, wayBack, merges);
            }
        }
    }

    /**
     * The open-loop sweeps, each stepping the offered rate up until two steps in a row did not keep up (the
     * steps beyond would only pile up a backlog); returns each sweep's sustained rate (0 when no step kept up).
     */
    private static List<Integer> sweeps(Settings settings, List<Client> clients, OpenLoop openLoop,
            List<List<OpenRun>> openRuns, Progress progress, long stackPid) throws InterruptedException {
        List<Integer> sustainedBySweep = new ArrayList<>();
        for (int sweep = 1; sweep <= settings.repetitions(); sweep++) {
            int sustained = 0;
            int missed = 0;
            for (int i = 0; i < settings.offeredRates().length && missed < 2; i++) {
                int rate = settings.offeredRates()[i];
                OpenRun run = openLoop.step(clients, rate, settings.batchSize(), settings.perStep(), sweep);
                progress.note(String.format("open loop %,d ops/s #%d: answered %,.0f ops/s, p99 %.1f ms, lag at end %d"
                        + " (slope %.0f/s), %s; cpu %s; %s", rate, sweep, run.opsPerSecond(), run.latency().p99(),
                        run.lagEnd(), run.lagSlope(), run.keptUp() ? "kept up" : "did NOT keep up", run.cpu(),
                        Memory.soFar(stackPid)));
                openRuns.get(i).add(run);
                if (run.keptUp()) {
                    sustained = rate;
                    missed = 0;
                } else {
                    missed++;
                }
            }
            sustainedBySweep.add(sustained);
        }
        return sustainedBySweep;
    }

    /**
     * Bootstrap of 10,000 documents and live latency with 1,000 idle streams, the new bootstrap and the live writes
     * {@code repetitions} times (the smoke run: a little of each, once).
     */
    private static WayBack.Outcome wayBack(StackProcess stack, Progress progress, Settings settings) throws Exception {
        boolean smoke = settings == Settings.SMOKE;
        return new WayBack(stack, progress).run(smoke ? 300 : 10_000, smoke ? 10 : 200, smoke ? 20 : 1_000,
                settings.repetitions());
    }

    /** Just the open-loop sweeps, printed: the load to profile the stack under. */
    private static void openLoopOnly(Settings settings, Path jar, List<String> options) throws Exception {
        Progress progress = new Progress();
        String java = ProcessHandle.current().info().command().orElse("java");
        try (StackProcess stack = new StackProcess(java, jar, Files.createTempDirectory("docsync-bench-"))) {
            progress.note("stack ready in " + stack.start() + " ms");
            Cpu cpu = new Cpu(stack.pid(), stack.postgresData());
            Load load = new Load(stack.url());
            List<Client> clients = clients(stack);
            new Scenarios(load, cpu, progress).closedLoop(clients.subList(0, 16), settings.batchSize(),
                    Duration.ofSeconds(10), 0);
            List<List<OpenRun>> runs = new ArrayList<>();
            for (int ignored : settings.offeredRates()) {
                runs.add(new ArrayList<>());
            }
            Settings oneSweep = new Settings(1, 0, 0, new int[0], Duration.ZERO, settings.offeredRates(),
                    settings.perStep(), settings.batchSize(), new int[0], Duration.ZERO, 0);
            // Recording only the sweep (not start-up and warm-up): jcmd of the same JDK, on the stack's pid.
            String recording = option(options, "--record", null);
            if (recording != null) {
                stack.jcmd("JFR.start", "name=bench", "settings=profile",
                        "filename=" + Path.of(recording).toAbsolutePath());
            }
            progress.note("sustained: " + sweeps(oneSweep, clients, new OpenLoop(load,
                    new LagProbe(stack.workerManagement()), cpu, progress), runs, progress, stack.pid()));
            if (recording != null) {
                stack.jcmd("JFR.stop", "name=bench");
                progress.note("recording in " + recording);
            }
        }
    }

    static List<Client> clients(StackProcess stack) {
        List<Client> clients = new ArrayList<>();
        for (int c = 0; c < Settings.CLIENTS; c++) {
            clients.add(client(stack, "bench-c" + c, 4));
        }
        return clients;
    }

    /** A client with its own actor, editor of {@code workspaces} workspaces of its own. */
    static Client client(StackProcess stack, String actor, int workspaces) {
        List<String> names = new ArrayList<>();
        for (int w = 0; w < workspaces; w++) {
            names.add("ws_" + actor.replace('-', '_') + "_" + w);
        }
        return new Client(actor, stack.tokens().editor(actor, names), names);
    }

    private static <T> Spread spread(List<T> runs, ToDoubleFunction<T> value) {
        return Spread.of(runs.stream().map(value::applyAsDouble).toList());
    }

    static Map<String, String> machine() {
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
        machine.put("memory_mib", String.valueOf(totalMemoryMiB()));
        machine.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        machine.put("date", java.time.Instant.now().toString());
        machine.put("load_average", Merges.loadAverage());
        machine.put("note", "CPU 'other' in the tables is the rest of the machine (other processes sharing it)");
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

    private static List<String> jvmOptions(String spaced) {
        return spaced.isBlank() ? List.of() : List.of(spaced.trim().split("\\s+"));
    }

    private static String option(List<String> options, String name, String fallback) {
        int i = options.indexOf(name);
        return i >= 0 && i + 1 < options.size() ? options.get(i + 1) : fallback;
    }
}
