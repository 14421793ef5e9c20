package dev.docsync.ingest.changes;

import dev.docsync.ingest.IngestMetrics;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * What held requests (long-polls and streams) share: their bound ({@link LiveSlots}), the workspace signals,
 * one timer thread for deadlines and heartbeats, and the work a wake-up starts — reading the feed and sending
 * what was read — on virtual threads, at most {@code concurrentReads} at once. No thread is held by an idle
 * request. On shutdown every held request is ended before the web server waits for requests in flight.
 */
@Component
class LiveRequests implements SmartLifecycle, DisposableBean {

    /** Ends held requests just before the web server's graceful shutdown starts waiting for them. */
    static final int PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 1;

    final LiveProperties properties;
    final WorkspaceSignals signals;
    final LiveSlots slots;
    final AtomicInteger longPolls = new AtomicInteger();
    final AtomicInteger streams = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("live-timer").factory());
    private final ExecutorService work = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("live-", 0).factory());
    private final Semaphore reads;
    private volatile boolean running;

    LiveRequests(LiveProperties properties, WorkspaceSignals signals, IngestMetrics metrics) {
        this.properties = properties;
        this.signals = signals;
        this.slots = new LiveSlots(properties.maxLive(), properties.maxLivePerActor(), properties.retryAfter());
        this.reads = new Semaphore(properties.concurrentReads());
        metrics.liveRequests(longPolls::get, streams::get);
    }

    /** Runs tasks that read the feed (and send what they read), bounded in number. */
    Executor reader() {
        return task -> work.execute(() -> {
            reads.acquireUninterruptibly();
            try {
                task.run();
            } finally {
                reads.release();
            }
        });
    }

    /** Runs {@code task} after {@code delay}, off the timer thread (a slow client must not delay the others). */
    ScheduledFuture<?> after(Duration delay, Runnable task) {
        return timer.schedule(() -> work.execute(task), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} every {@code period}, off the timer thread. */
    ScheduledFuture<?> every(Duration period, Runnable task) {
        return timer.scheduleAtFixedRate(() -> work.execute(task), period.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        slots.closeAll();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** After stop(): the threads go. */
    @Override
    public void destroy() {
        timer.shutdownNow();
        work.shutdownNow();
    }
}
