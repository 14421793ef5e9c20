package dev.docsync.ingest.changes;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a task on an executor whenever poked, never twice at once, and once more when poked while running: a
 * burst of signals costs at most one extra run, and no signal is lost between a run's read and its end.
 */
final class Pump {

    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int RUN_AGAIN = 2;

    private final Executor executor;
    private final Runnable task;
    private final AtomicInteger state = new AtomicInteger(IDLE);

    Pump(Executor executor, Runnable task) {
        this.executor = executor;
        this.task = task;
    }

    void poke() {
        int s;
        do {
            s = state.get();
            if (s == RUN_AGAIN) {
                return;
            }
        } while (!state.compareAndSet(s, s + 1));
        if (s == IDLE) {
            try {
                executor.execute(this::run);
            } catch (RejectedExecutionException e) {
                state.set(IDLE);
            }
        }
    }

    private void run() {
        do {
            task.run();
        } while (state.decrementAndGet() > IDLE);
    }
}
