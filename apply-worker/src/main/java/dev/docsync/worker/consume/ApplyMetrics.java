package dev.docsync.worker.consume;

import dev.docsync.contracts.OperationResult;
import dev.docsync.contracts.ResultStatus;
import dev.docsync.projection.apply.AppliedBatch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * The live apply path's metrics. The listener calls one method per chunk and per dead letter; names and tags
 * live here only. Replay does not go through here, so it never counts as live traffic.
 */
@Component
class ApplyMetrics {

    private final MeterRegistry registry;
    private final Clock clock;
    private final Timer committed;
    private final Timer failed;
    private final DistributionSummary batchSize;
    private final Timer latency;
    private final Counter deadLetters;
    private final Counter unappliable;
    private final Map<String, Counter> batches = new ConcurrentHashMap<>();
    private final Map<ResultStatus, Counter> operations = new ConcurrentHashMap<>();

    ApplyMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        this.committed = transactionTimer("committed");
        this.failed = transactionTimer("failed");
        this.batchSize = DistributionSummary.builder("docsync.apply.batch.size")
                .description("Operations per applied batch").baseUnit("operations")
                .publishPercentileHistogram().maximumExpectedValue(1000.0)
                .register(registry);
        this.latency = Timer.builder("docsync.apply.latency")
                .description("From the batch's stamp at ingest to its apply transaction's commit")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        this.deadLetters = Counter.builder("docsync.apply.dead.letters")
                .description("Unreadable events sent to the dead-letter topic")
                .register(registry);
        this.unappliable = Counter.builder("docsync.apply.unappliable")
                .description("Batches the projection refused deterministically: rejected and dead-lettered")
                .register(registry);
    }

    /** Runs one apply step of a partition chunk, timing its transaction and counting what it applied. */
    List<AppliedBatch> applyChunk(Supplier<List<AppliedBatch>> step) {
        long started = System.nanoTime();
        List<AppliedBatch> applied;
        try {
            applied = step.get();
        } catch (RuntimeException e) {
            failed.record(Duration.ofNanos(System.nanoTime() - started));
            throw e;
        }
        if (!applied.isEmpty()) {
            committed.record(Duration.ofNanos(System.nanoTime() - started));
            applied.forEach(this::count);
        }
        return applied;
    }

    void deadLettered() {
        deadLetters.increment();
    }

    void unappliable() {
        unappliable.increment();
    }

    /**
     * On the apply hot path: counters are looked up once per outcome and status (not built and registered
     * again for every operation), and operations are added per status, not one by one.
     */
    private void count(AppliedBatch batch) {
        List<OperationResult> results = batch.result().results();
        batches.computeIfAbsent(outcome(batch),
                outcome -> counter("docsync.apply.batches", "Applied batches by outcome", "outcome", outcome))
                .increment();
        Map<ResultStatus, Long> byStatus = new EnumMap<>(ResultStatus.class);
        results.forEach(result -> byStatus.merge(result.status(), 1L, Long::sum));
        byStatus.forEach((status, n) -> operations.computeIfAbsent(status, s -> counter("docsync.apply.operations",
                "Applied operations by result status", "status", s.wire())).increment(n));
        batchSize.record(results.size());
        // A stamp from a hand-made event may lie anywhere in time; a metric must never fail an apply.
        Duration age = Duration.between(batch.stampedAt(), clock.instant());
        if (!age.isNegative() && age.compareTo(MAX_RECORDED_LATENCY) < 0) {
            latency.record(age);
        }
    }

    private static final Duration MAX_RECORDED_LATENCY = Duration.ofDays(365);

    /** {@code duplicate}: an Idempotency-Key retry answered as its original; otherwise how many operations succeeded. */
    private static String outcome(AppliedBatch batch) {
        if (batch.duplicateOf().isPresent()) {
            return "duplicate";
        }
        int successful = batch.result().successful();
        return successful == batch.result().total() ? "success" : successful == 0 ? "failed" : "partial";
    }

    private Counter counter(String name, String description, String tag, String value) {
        return Counter.builder(name).description(description).tag(tag, value).register(registry);
    }

    private Timer transactionTimer(String outcome) {
        return Timer.builder("docsync.apply.transaction")
                .description("Apply transactions of a partition chunk, by outcome")
                .tag("outcome", outcome)
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }
}
