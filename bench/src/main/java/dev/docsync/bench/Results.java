package dev.docsync.bench;

import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** What a bench run measured; written as JSON, Markdown and HTML. */
record Results(Map<String, String> machine, Map<String, Object> settings, long startupMillis,
        Latency singles10, Latency batchOf10, double batchSpeedup, Latency batch10Ops, List<Throughput> throughput,
        Baseline baseline, Replay replay, Memory memory) {

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

    record Throughput(int clients, int batchSize, long operations, double seconds, double opsPerSecond,
            Latency latency) {
    }

    record Baseline(int threads, int batchSize, long operations, double opsPerSecond, Latency tenOpTransaction) {
    }

    record Replay(long events, long millis, double eventsPerSecond) {
    }

    record Memory(long stackJvmPeakRssMiB, long postgresPssMiB) {
        long totalMiB() {
            return stackJvmPeakRssMiB + postgresPssMiB;
        }
    }

    Throughput bestThroughput() {
        return throughput.stream().max(java.util.Comparator.comparingDouble(Throughput::opsPerSecond)).orElseThrow();
    }
}
