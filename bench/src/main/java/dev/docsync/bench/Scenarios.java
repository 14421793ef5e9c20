package dev.docsync.bench;

import dev.docsync.bench.Results.ClosedRun;
import dev.docsync.bench.Results.Latency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** The sequential and closed-loop HTTP scenarios: seed comparison, 10-op latency, clients pushing batches back to back. */
final class Scenarios {

    /** How long a bench request lets the server wait for its batch to apply before answering 202. */
    static final int WAIT_SECONDS = 10;

    private final Load load;
    private final Cpu cpu;
    private final Progress progress;

    Scenarios(Load load, Cpu cpu, Progress progress) {
        this.load = load;
        this.cpu = cpu;
        this.progress = progress;
    }

    /** 10 documents as 10 single requests vs one batch of 10 creates, alternating, sequential client. */
    Results.Seed seedComparison(Client client, int rounds, int repetition) {
        Histogram singles = histogram();
        Histogram batches = histogram();
        OpCounts counts = new OpCounts();
        String workspace = client.workspaces.getFirst();
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                load.createSingle(client, workspace, "single-" + repetition + "-" + round + "-" + i);
            }
            singles.recordValue(micros(start));
            Client.Batch batch = client.creates(workspace, 10);
            start = System.nanoTime();
            load.send(batch, WAIT_SECONDS, counts);
            batches.recordValue(micros(start));
            progress.step("seed comparison " + repetition, round + 1, rounds);
        }
        Latency s = Latency.of(singles);
        Latency b = Latency.of(batches);
        return new Results.Seed(s, b, s.p50() / b.p50());
    }

    /** A sequential client pushing mixed 10-operation batches; the first tenth warms up and is not recorded. */
    /** The answered latency of a sequential client's 10-op batches, and the log's part of it (stamp to apply). */
    record TenOps(Latency answered, Latency stampToApply) {
    }

    TenOps latency(Client client, int requests, int repetition) throws Exception {
        Histogram answered = histogram();
        Histogram stampToApply = histogram();
        OpCounts counts = new OpCounts();
        int warmUp = Math.max(1, requests / 10);
        for (int i = 0; i < requests + warmUp; i++) {
            Client.Batch batch = client.next(10);
            long start = System.nanoTime();
            // A 202 (not applied within the wait) is recorded too: its latency is at least the wait.
            Load.Answer answer = load.sendForAnswer(batch, WAIT_SECONDS, counts);
            long micros = micros(start);
            if (i >= warmUp) {
                answered.recordValue(micros);
                if (answer.batchId() != null) {
                    stampToApply.recordValue(load.stampToApplyMillis(client, answer.batchId()) * 1000);
                }
            }
            progress.step("10-op latency " + repetition, i + 1, requests + warmUp);
        }
        return new TenOps(Latency.of(answered), Latency.of(stampToApply));
    }

    /** {@code clients.size()} clients (one actor each), each pushing mixed batches back to back for {@code duration}. */
    ClosedRun closedLoop(List<Client> clients, int batchSize, Duration duration, int repetition) throws Exception {
        Recorder recorder = new Recorder(3);
        OpCounts counts = new OpCounts();
        Cpu.Sample before = cpu.sample();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (Client client : clients) {
                running.add(pool.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        Client.Batch batch = client.next(batchSize);
                        long t = System.nanoTime();
                        int status = load.send(batch, WAIT_SECONDS, counts);
                        if (status == 200) {
                            recorder.recordValue(micros(t));
                        } else if (status == 429) {
                            Thread.sleep(100);
                        }
                    }
                    return null;
                }));
            }
            while (running.stream().anyMatch(f -> !f.isDone())) {
                progress.step("closed loop x" + clients.size() + " #" + repetition,
                        (System.nanoTime() - start) / 1_000_000, duration.toMillis());
                Thread.sleep(250);
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Cpu.Share share = Cpu.Share.between(before, cpu.sample());
        OpCounts.Counted counted = counts.snapshot();
        return new ClosedRun(repetition, seconds, counted.answered() / seconds, Latency.of(recorder.getIntervalHistogram()),
                counted, share, cpuMicrosPerOp(share, seconds, counted.answered()));
    }

    static double cpuMicrosPerOp(Cpu.Share share, double seconds, long operations) {
        return operations == 0 ? 0 : Math.round((share.stack() + share.postgres()) * seconds * 1e6 / operations * 10) / 10.0;
    }

    static Histogram histogram() {
        return new Histogram(3_600_000_000L, 3);
    }

    static long micros(long startNanos) {
        return Math.max(1, (System.nanoTime() - startNanos) / 1000);
    }
}
