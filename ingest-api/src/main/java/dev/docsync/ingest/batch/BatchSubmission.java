package dev.docsync.ingest.batch;

import dev.docsync.contracts.BatchAnswer;
import dev.docsync.contracts.BatchRequest;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.ingest.IngestMetrics;
import dev.docsync.ingest.IngestProperties;
import dev.docsync.ingest.web.ApiProblem;
import dev.docsync.projection.batches.BatchReader;
import dev.docsync.projection.batches.BatchReceipts;
import dev.docsync.projection.batches.IdempotencyKeys;
import dev.docsync.projection.batches.IdempotencyProperties;
import dev.docsync.projection.batches.IdempotencyRule;
import dev.docsync.projection.batches.StoredBatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Stamps a batch, appends it to the log and, for synchronous callers, waits for its applied result. A
 * batch is acknowledged only after its Kafka transaction committed; a 202 additionally leaves a receipt in
 * PostgreSQL so that polling finds it as pending.
 */
@Service
class BatchSubmission {

    private static final Logger log = LoggerFactory.getLogger(BatchSubmission.class);

    /**
     * About 0.75 s of retries: enough to get past connections PostgreSQL dropped; no more retries once a
     * second has passed (with PostgreSQL down, one attempt already waits for the pool's connection timeout).
     */
    private static final RetryTemplate RECEIPT_RETRIES = new RetryTemplate(RetryPolicy.builder()
            .includes(DataAccessException.class).maxRetries(4).delay(Duration.ofMillis(50)).multiplier(2)
            .timeout(Duration.ofSeconds(1)).build());

    /**
     * A batch as its caller waits for it: no events and no request, so a request waiting out its sync wait
     * holds a few hundred bytes, not its parsed operations (under overload, thousands of requests wait).
     */
    record BatchRef(UUID batchId, String workspaceId, String actor, Instant stampedAt, int operations) {
        static BatchRef of(StampedBatch batch) {
            return new BatchRef(batch.batchId(), batch.workspaceId(), batch.actor(), batch.stampedAt(),
                    batch.events().size());
        }
    }

    /** The answer: the applied result, or pending (202). */
    record Outcome(BatchRef batch, Optional<BatchAnswer> applied) {
    }

    /** What {@link #append} leaves for {@link #answer}: an earlier batch with the same key, or one now in the log. */
    sealed interface Submitted permits Known, InLog {
    }

    record Known(Outcome outcome) implements Submitted {
    }

    record InLog(BatchRef batch, Optional<BatchWaiters.Waiter> waiter, Preferences preferences) implements Submitted {
    }

    private final BatchStamper stamper;
    private final OperationLog operationLog;
    private final BatchWaiters waiters;
    private final BatchReader reader;
    private final BatchReceipts receipts;
    private final IdempotencyKeys keys;
    private final IdempotencyRule keyRule;
    private final IngestProperties properties;
    private final Clock clock;
    private final IngestMetrics metrics;

    BatchSubmission(BatchStamper stamper, OperationLog operationLog, BatchWaiters waiters, BatchReader reader,
            BatchReceipts receipts, IdempotencyKeys keys, IngestProperties properties,
            IdempotencyProperties keyRetention, Clock clock, IngestMetrics metrics) {
        this.stamper = stamper;
        this.operationLog = operationLog;
        this.waiters = waiters;
        this.reader = reader;
        this.receipts = receipts;
        this.keys = keys;
        this.keyRule = new IdempotencyRule(keyRetention.retention());
        this.properties = properties;
        this.clock = clock;
        this.metrics = metrics;
    }

    Outcome submit(BatchRequest request, String actor, Preferences preferences) {
        return submit(request, actor, preferences, Optional.empty());
    }

    /**
     * With an Idempotency-Key: a retry of a batch this actor already made answers with that batch (pending or
     * applied) without appending again; the same key with another request is a 422. When the first request is
     * still in flight (or PostgreSQL cannot tell now), the retry is appended and the apply-worker recognises it.
     */
    Outcome submit(BatchRequest request, String actor, Preferences preferences,
            Optional<OperationEvent.Idempotency> idempotency) {
        return answer(append(request, actor, preferences, idempotency));
    }

    /**
     * Stamps and appends the batch, or finds the earlier batch of its Idempotency-Key. The caller passes what
     * this returns straight to {@link #answer}, from a frame that no longer holds the request.
     */
    Submitted append(BatchRequest request, String actor, Preferences preferences,
            Optional<OperationEvent.Idempotency> idempotency) {
        Optional<Outcome> earlier = idempotency.flatMap(key -> earlierBatch(request, actor, key));
        if (earlier.isPresent()) {
            return new Known(earlier.get());
        }
        StampedBatch batch = stamper.stamp(request, actor, idempotency.orElse(null));
        // Register before appending: the result may be applied and signalled before append() even returns.
        // wait=0 means "do not wait": answered like respond-async, without even one look at the result (which
        // made the answer a race between 202 and 200).
        boolean waits = !preferences.respondAsync() && preferences.waitFor().isPositive();
        Optional<BatchWaiters.Waiter> waiter = waits ? waiters.register(batch.batchId()) : Optional.empty();
        try (var workspaceId = MDC.putCloseable("workspace_id", batch.workspaceId());
                var batchId = MDC.putCloseable("batch_id", batch.batchId().toString())) {
            operationLog.append(batch);
            log.debug("Appended {} events; {}", batch.events().size(), waiter.isPresent() ? "waiting" : "not waiting");
        } catch (RuntimeException e) {
            waiter.ifPresent(BatchWaiters.Waiter::close);
            throw e;
        }
        return new InLog(BatchRef.of(batch), waiter, preferences);
    }

    /** Waits (when the caller asked to) for the applied result of what {@link #append} left. */
    Outcome answer(Submitted submitted) {
        return switch (submitted) {
            case Known known -> known.outcome();
            case InLog inLog -> answer(inLog.batch(), inLog.waiter(), inLog.preferences());
        };
    }

    private Outcome answer(BatchRef batch, Optional<BatchWaiters.Waiter> waiter, Preferences preferences) {
        try (var workspaceId = MDC.putCloseable("workspace_id", batch.workspaceId());
                var batchId = MDC.putCloseable("batch_id", batch.batchId().toString())) {
            Optional<BatchAnswer> applied = waiter.flatMap(w -> await(w, batch.batchId(), preferences.waitFor()));
            if (applied.isEmpty()) {
                recordReceipt(batch);
            }
            metrics.batchAnswered(applied.isPresent() ? IngestMetrics.Answer.APPLIED
                    : preferences.respondAsync() ? IngestMetrics.Answer.ASYNC : IngestMetrics.Answer.WAIT_TIMEOUT);
            return new Outcome(batch, applied);
        } finally {
            waiter.ifPresent(BatchWaiters.Waiter::close);
        }
    }

    private Optional<Outcome> earlierBatch(BatchRequest request, String actor, OperationEvent.Idempotency idempotency) {
        IdempotencyRule.Decision decision;
        try {
            decision = keyRule.decide(keys.find(actor, request.workspaceId(), idempotency.key()),
                    idempotency.requestHash(), clock.instant());
        } catch (DataAccessException e) {
            log.warn("Cannot look up Idempotency-Key now ({}); the apply-worker will recognise a retry", e.getMessage());
            return Optional.empty();
        }
        return switch (decision) {
            case IdempotencyRule.Claims claims -> Optional.empty();
            case IdempotencyRule.Reuses reuses -> throw ApiProblem.of(HttpStatus.UNPROCESSABLE_CONTENT,
                    "idempotency-key-reused",
                    "Idempotency-Key " + idempotency.key() + " was used before with a different request");
            case IdempotencyRule.Repeats repeats -> {
                UUID original = repeats.original().batchId();
                BatchRef known = new BatchRef(original, request.workspaceId(), actor,
                        repeats.original().stampedAt(), request.operations().size());
                yield Optional.of(new Outcome(known, findApplied(original)));
            }
        };
    }

    private Optional<BatchAnswer> await(BatchWaiters.Waiter waiter, UUID batchId, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            // Shutting down: answer 202 + Location now rather than hold the instance's exit.
            boolean signalled = left > 0 && !waiters.closing() && waiter.await(Duration.ofNanos(left));
            waiter.rearm();
            Optional<BatchAnswer> applied = findApplied(batchId);
            if (applied.isPresent() || !signalled) {
                return applied;
            }
        }
    }

    private Optional<BatchAnswer> findApplied(UUID batchId) {
        try {
            return reader.findApplied(batchId).map(StoredBatch::answer);
        } catch (DataAccessException e) {
            log.warn("Cannot read result of batch {} yet: {}", batchId, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Retried briefly, because a pooled connection that PostgreSQL dropped fails once and the next one works
     * (found by the fault suite: without the retry, 22 polls of acknowledged batches answered 404 while
     * sessions were being terminated). If PostgreSQL stays away the batch is still durable in the log and
     * will be applied; only polling for it answers 404 until then.
     */
    private void recordReceipt(BatchRef batch) {
        try {
            RECEIPT_RETRIES.invoke(() -> receipts.record(batch.batchId(), batch.workspaceId(), batch.actor(),
                    batch.stampedAt(), batch.operations()));
        } catch (DataAccessException e) {
            log.warn("Could not record receipt of pending batch {}: {}", batch.batchId(), e.getMessage());
        }
    }
}
