package dev.docsync.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What a bench run measured; written as JSON, Markdown and HTML. Every level ran {@code repetitions} times.
 * {@code wayBack} and {@code merges} are absent (null) in the JSON of runs older than them.
 */
record Results(Map<String, String> machine, Map<String, Object> settings, long startupMillis,
        List<Seed> seed, Spread batchSpeedup,
        List<Latency> batch10Ops, Spread batch10P50, Spread batch10P99, List<Latency> batch10StampToApply,
        List<ClosedLevel> closedLoop,
        List<OpenStep> openLoop, List<Integer> sustainedBySweep, Spread sustained,
        Baseline baseline,
        List<Replay> replay, Spread replayEventsPerSecond,
        Memory memory, WayBack.Outcome wayBack, Merges.Outcome merges) {

    /** Milliseconds. */
    record Latency(long count, double p50, double p90, double p99, double max, double mean) {
        static Latency of(Histogram micros) {
            return new Latency(micros.getTotalCount(), ms(micros.getValueAtPercentile(50)),
                    ms(micros.getValueAtPercentile(90)), ms(micros.getValueAtPercentile(99)), ms(micros.getMaxValue()),
                    Math.round(micros.getMean()) / 1000.0);
        }

        private static double ms(long micros) {
            return micros / 1000.0;
        }
    }

    /** The median of the repetitions and their range. */
    record Spread(double median, double min, double max, int n) {
        static Spread of(List<Double> values) {
            if (values.isEmpty()) {
                return new Spread(0, 0, 0, 0);
            }
            List<Double> sorted = new ArrayList<>(values);
            sorted.sort(null);
            int n = sorted.size();
            double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            return new Spread(median, sorted.getFirst(), sorted.getLast(), n);
        }
    }

    record Seed(Latency singles10, Latency batchOf10, double speedup) {
    }

    /** One closed-loop repetition; {@code cpuMicrosPerOp} is the stack's and PostgreSQL's CPU per answered op. */
    record ClosedRun(int repetition, double seconds, double opsPerSecond, Latency latency, OpCounts.Counted ops,
            Cpu.Share cpu, double cpuMicrosPerOp) {
    }

    record ClosedLevel(int clients, int batchSize, List<ClosedRun> runs, Spread opsPerSecond, Spread p50, Spread p99) {
    }

    /**
     * One open-loop step of one sweep. {@code opsPerSecond}: operations answered (any per-operation status) between
     * 1 s after the step's start and its end. Latency runs from each request's intended send time. Lag in offsets
     * (one per event), sampled every 500 ms; {@code lagSlope} is its least-squares slope over the step's second half.
     */
    record OpenRun(int sweep, int offered, double sentPerSecond, double senderLateMaxMillis, double opsPerSecond,
            Latency latency, OpCounts.Counted ops, long lagEnd, long lagMax, double lagSlope, boolean keptUp,
            Cpu.Share cpu, double cpuMicrosPerOp) {
    }

    record OpenStep(int offered, List<OpenRun> runs, Spread opsPerSecond, Spread p50, Spread p99, Spread lagEnd,
            long keptUp) {
    }

    /**
     * One technique at one connection count, repeated; {@code cpuMicrosPerOp} (PostgreSQL's and the bench's) is
     * the median over the repetitions, {@code cpu} the last repetition's shares.
     */
    record BaselineCell(String technique, int connections, List<Double> opsPerSecond, Spread spread,
            double cpuMicrosPerOp, Cpu.Share cpu) {
    }

    record Baseline(long seededDocuments, long seededVersions, int batchSize, List<BaselineCell> cells,
            String bestTechnique, int bestConnections, Spread best, List<Latency> tenOpTransaction, Spread tenOpP50) {
    }

    record Replay(long events, long millis, double eventsPerSecond) {
    }

    /**
     * Peaks: the stack JVM's VmHWM, and the highest PSS sum of PostgreSQL's processes sampled every second while
     * the stack was under load (before the baseline ran).
     */
    record Memory(long stackJvmPeakRssMiB, long postgresPeakPssMiB) {
        long totalMiB() {
            return stackJvmPeakRssMiB + postgresPeakPssMiB;
        }
    }
}
