package dev.docsync.worker.retention;

import dev.docsync.projection.apply.ProjectionRetention;
import dev.docsync.projection.batches.IdempotencyProperties;
import dev.docsync.projection.batches.ResultRetention;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Prunes the projection's growing tables every {@code docsync.retention.interval}, in batches of
 * {@code batch-size} rows (one short transaction each): Idempotency-Keys, receipts and results past their
 * retention, then one sweep step over the bodies (unreferenced ones are collected). Pruning writes the projection,
 * so it lives in the apply-worker; several workers may run it at once (deletes of the same rows are harmless).
 *
 * <p>Replay: whether a batch is a retry is decided between the batches' stamps (log time), so a key may only go
 * when no batch still to be applied can be within its retention: keys are pruned {@link #KEY_GRACE} later than
 * their retention, and a batch that waits longer than that between its stamp and its apply is the one case where
 * live and replay could decide differently (see docs/decisions.md). Results are pruned by stamp and the horizon is
 * recorded ({@code retention_horizons}); replay compares only results stamped at or after it.
 */
@Component
@Import(ProjectionRetention.class)
public class RetentionJob implements SmartLifecycle {

    /** How much longer than their retention keys are kept: more than any batch waits from stamp to apply. */
    static final Duration KEY_GRACE = Duration.ofHours(1);

    private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);

    /** A run stops deleting after this long and goes on at the next run. */
    private static final Duration MAX_RUN = Duration.ofSeconds(30);

    /** Batches of bodies one run looks at: a pass over all bodies spreads over runs, whatever their number. */
    private static final int SWEEP_STEPS = 10;

    private final ProjectionRetention retention;
    private final TransactionTemplate transactions;
    private final RetentionProperties properties;
    private final IdempotencyProperties idempotency;
    private final ResultRetention resultRetention;
    private final Clock clock;
    private final Object runs = new Object();
    private String sweptWorkspace = "";
    private String sweptDigest = "";
    private volatile ScheduledExecutorService scheduler;

    RetentionJob(ProjectionRetention retention, TransactionTemplate transactions, RetentionProperties properties,
            IdempotencyProperties idempotency, ResultRetention resultRetention, Clock clock) {
        if (resultRetention.results().compareTo(idempotency.retention()) < 0) {
            throw new IllegalStateException("docsync.retention.results (" + resultRetention.results()
                    + ") must be at least the Idempotency-Key retention (" + idempotency.retention()
                    + "): a retry answers with the result of the batch it repeats");
        }
        this.retention = retention;
        this.transactions = transactions;
        this.properties = properties;
        this.idempotency = idempotency;
        this.resultRetention = resultRetention;
        this.clock = clock;
    }

    /** What one run removed. */
    public record Pruned(int keys, int receipts, int results, int bodies) {
    }

    /** One run: everything due now, in bounded batches (also called by tests, instead of waiting for the next). */
    public Pruned runOnce() {
        synchronized (runs) {
            return prune();
        }
    }

    private Pruned prune() {
        Instant now = clock.instant();
        long deadline = System.nanoTime() + MAX_RUN.toNanos();
        int keys = repeat(deadline, () -> retention.pruneIdempotencyKeys(
                now.minus(idempotency.retention()).minus(KEY_GRACE), properties.batchSize()));
        int receipts = repeat(deadline, () -> retention.pruneReceipts(now.minus(properties.receipts()),
                properties.batchSize()));
        int results = repeat(deadline, () -> inTransaction(() -> retention.pruneResults(
                now.minus(resultRetention.results()), properties.batchSize())));
        int bodies = sweepBodies(deadline);
        Pruned pruned = new Pruned(keys, receipts, results, bodies);
        if (keys + receipts + results + bodies > 0) {
            log.info("Retention pruned {} Idempotency-Keys, {} receipts, {} results, {} unreferenced bodies", keys,
                    receipts, results, bodies);
        }
        return pruned;
    }

    /** Part of a pass over the bodies (at most {@link #SWEEP_STEPS} batches), from where the last run stopped. */
    private int sweepBodies(long deadline) {
        int deleted = 0;
        for (int steps = 0; steps < SWEEP_STEPS && System.nanoTime() < deadline; steps++) {
            ProjectionRetention.BodySweep step = transactions.execute(
                    status -> retention.sweepBodies(sweptWorkspace, sweptDigest, properties.batchSize()));
            deleted += step.deleted();
            if (step.examined() < properties.batchSize()) {
                sweptWorkspace = "";
                sweptDigest = "";
                break;
            }
            sweptWorkspace = step.lastWorkspaceId();
            sweptDigest = step.lastDigest();
        }
        return deleted;
    }

    private int inTransaction(IntSupplier work) {
        Integer done = transactions.execute(status -> work.getAsInt());
        return done == null ? 0 : done;
    }

    private int repeat(long deadline, IntSupplier batch) {
        int total = 0;
        int deleted;
        do {
            deleted = batch.getAsInt();
            total += deleted;
        } while (deleted >= properties.batchSize() && System.nanoTime() < deadline);
        return total;
    }

    private void runQuietly() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.warn("Retention run failed, trying again in {}: {}", properties.interval(), e.getMessage());
        }
    }

    @Override
    public synchronized void start() {
        if (!properties.enabled()) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("docsync-retention").daemon()
                .factory());
        long every = properties.interval().toMillis();
        scheduler.scheduleWithFixedDelay(this::runQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }
}
