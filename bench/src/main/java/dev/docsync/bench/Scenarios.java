package dev.docsync.bench;

import dev.docsync.bench.Results.Latency;
import dev.docsync.bench.Results.Throughput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** The HTTP scenarios: seed comparison, single-client latency, throughput at several concurrency levels. */
final class Scenarios {

    private final Load load;
    private final List<String> workspaces;
    private final Progress progress;

    Scenarios(Load load, List<String> workspaces, Progress progress) {
        this.load = load;
        this.workspaces = workspaces;
        this.progress = progress;
    }

    /** 10 documents as 10 single requests vs one batch of 10, alternating, sequential client. */
    Latency[] seedComparison(int rounds) {
        Histogram singles = histogram();
        Histogram batches = histogram();
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                load.createSingle(workspaces.getFirst(), "s" + round + "-" + i);
            }
            singles.recordValue(micros(start));
            start = System.nanoTime();
            load.createBatch(workspaces.getFirst(), "b" + round, 10);
            batches.recordValue(micros(start));
            progress.step("seed comparison", round + 1, rounds);
        }
        return new Latency[] {Latency.of(singles), Latency.of(batches)};
    }

    /** A sequential client pushing 10-operation batches; the first tenth warms up and is not recorded. */
    Latency latency(int requests) {
        Histogram histogram = histogram();
        int warmUp = Math.max(1, requests / 10);
        for (int i = 0; i < requests + warmUp; i++) {
            long start = System.nanoTime();
            load.createBatch(workspaces.get(1 % workspaces.size()), "l" + i, 10);
            if (i >= warmUp) {
                histogram.recordValue(micros(start));
            }
            progress.step("latency", i + 1, requests + warmUp);
        }
        return Latency.of(histogram);
    }

    /** {@code clients} concurrent clients, each pushing batches of {@code batchSize} across the workspaces. */
    Throughput throughput(int clients, int batchSize, Duration duration) throws Exception {
        Recorder recorder = new Recorder(3);
        AtomicLong operations = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                running.add(pool.submit(() -> {
                    for (int i = 0; System.nanoTime() < deadline; i++) {
                        long t = System.nanoTime();
                        load.createBatch(workspaces.get((client + i) % workspaces.size()), "t" + client + "-" + i,
                                batchSize);
                        recorder.recordValue(micros(t));
                        operations.addAndGet(batchSize);
                    }
                }));
            }
            while (running.stream().anyMatch(f -> !f.isDone())) {
                progress.step("throughput x" + clients, (System.nanoTime() - start) / 1_000_000,
                        duration.toMillis());
                Thread.sleep(250);
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Throughput(clients, batchSize, operations.get(), seconds, operations.get() / seconds,
                Latency.of(recorder.getIntervalHistogram()));
    }

    static Histogram histogram() {
        return new Histogram(3_600_000_000L, 3);
    }

    static long micros(long startNanos) {
        return Math.max(1, (System.nanoTime() - startNanos) / 1000);
    }
}
