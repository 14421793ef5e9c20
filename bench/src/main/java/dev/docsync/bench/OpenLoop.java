package dev.docsync.bench;

import dev.docsync.bench.Results.Latency;
import dev.docsync.bench.Results.OpenRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;

/**
 * Offered load at a fixed rate, whatever the answers do: request k of a step is due at {@code start + k·interval}
 * and its latency runs from that due time, so a stalled server (or a late sender) cannot hide its queueing
 * (no coordinated omission). Requests go round-robin to the clients, one actor each.
 */
final class OpenLoop {

    private static final long SETTLED_LAG = 1_000;

    private final Load load;
    private final LagProbe lag;
    private final Cpu cpu;
    private final Progress progress;

    OpenLoop(Load load, LagProbe lag, Cpu cpu, Progress progress) {
        this.load = load;
        this.lag = lag;
        this.cpu = cpu;
        this.progress = progress;
    }

    private record LagSample(long nanos, long events) {
    }

    /** One step: {@code opsPerSecond} offered in batches of {@code batchSize} for {@code duration}. */
    OpenRun step(List<Client> clients, int opsPerSecond, int batchSize, Duration duration, int sweep)
            throws InterruptedException {
        long interval = Math.round(1e9 * batchSize / opsPerSecond);
        long requests = duration.toNanos() / interval;
        Recorder latency = new Recorder(3);
        OpCounts counts = new OpCounts();
        AtomicLong inWindow = new AtomicLong();
        List<LagSample> lags = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Integer>> inFlight = new ArrayList<>();
        Cpu.Sample before = cpu.sample();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long windowFrom = start + Math.min(1_000_000_000L, duration.toNanos() / 4);
        Thread sampler = Thread.ofPlatform().daemon().name("lag-sampler").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                lags.add(new LagSample(System.nanoTime(), lag.events()));
                LockSupport.parkNanos(500_000_000L);
            }
        });
        long lateMax = 0;
        for (long k = 0; k < requests; k++) {
            long due = start + k * interval;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            lateMax = Math.max(lateMax, -wait);
            Client.Batch batch = clients.get((int) (k % clients.size())).next(batchSize);
            inFlight.add(load.sendAsync(batch, Scenarios.WAIT_SECONDS, counts).whenComplete((status, error) -> {
                long now = System.nanoTime();
                latency.recordValue(Math.max(1, (now - due) / 1000));
                if (status != null && status == 200 && now >= windowFrom && now <= end) {
                    inWindow.addAndGet(batchSize);
                }
            }));
            if (k % 50 == 0) {
                progress.step("open loop " + opsPerSecond / 1000 + "k #" + sweep, (System.nanoTime() - start) / 1_000_000,
                        duration.toMillis());
            }
        }
        while (System.nanoTime() < end) {
            LockSupport.parkNanos(end - System.nanoTime());
        }
        progress.step("open loop " + opsPerSecond / 1000 + "k #" + sweep, duration.toMillis(), duration.toMillis());
        Cpu.Share share = Cpu.Share.between(before, cpu.sample());
        long lagEnd = lag.events();
        sampler.interrupt();
        List<LagSample> samples = new ArrayList<>(lags);
        samples.add(new LagSample(System.nanoTime(), lagEnd));
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
        OpCounts.Counted counted = counts.snapshot();
        double windowSeconds = (end - windowFrom) / 1e9;
        long lagMax = samples.stream().mapToLong(LagSample::events).max().orElse(-1);
        double slope = slope(samples.subList(samples.size() / 2, samples.size()));
        Latency measured = Latency.of(latency.getIntervalHistogram());
        boolean lagGrowing = slope > 0.05 * opsPerSecond && lagEnd > 0.5 * opsPerSecond;
        boolean keptUp = measured.p99() <= 1000 && !lagGrowing && counted.pending() == 0 && counted.failed() == 0
                && counted.rateLimited() == 0;
        settle();
        double seconds = duration.toNanos() / 1e9;
        return new OpenRun(sweep, opsPerSecond, Math.round(requests * batchSize / seconds), lateMax / 1e6,
                Math.round(inWindow.get() / windowSeconds), measured, counted, lagEnd, lagMax, Math.round(slope),
                keptUp, share, Scenarios.cpuMicrosPerOp(share, seconds, requests * batchSize));
    }

    /** Between steps: wait (at most 30 s) until the worker has caught up, so a step does not inherit a backlog. */
    private void settle() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            long events = lag.events();
            if (events >= 0 && events <= SETTLED_LAG) {
                break;
            }
            Thread.sleep(250);
        }
        Thread.sleep(1000);
    }

    /** Least-squares slope in events per second. */
    private static double slope(List<LagSample> samples) {
        List<LagSample> valid = samples.stream().filter(s -> s.events() >= 0).toList();
        if (valid.size() < 2) {
            return 0;
        }
        double n = valid.size();
        double mx = valid.stream().mapToDouble(s -> s.nanos() / 1e9).sum() / n;
        double my = valid.stream().mapToDouble(LagSample::events).sum() / n;
        double sxy = 0;
        double sxx = 0;
        for (LagSample s : valid) {
            double dx = s.nanos() / 1e9 - mx;
            sxy += dx * (s.events() - my);
            sxx += dx * dx;
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }
}
