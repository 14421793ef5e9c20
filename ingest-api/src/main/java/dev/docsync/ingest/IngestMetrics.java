package dev.docsync.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * The ingest side's own metrics (HTTP timings come from Spring's {@code http.server.requests}). Code on the
 * request path calls one method here; names and tags live in this class only.
 */
@Component
public class IngestMetrics {

    /** How a batch submission was answered. */
    public enum Answer {
        /** 200: applied within the wait. */
        APPLIED,
        /** 202 because the caller asked for {@code respond-async}. */
        ASYNC,
        /** 202 because the wait ran out (or this instance was shutting down or had too many waiters). */
        WAIT_TIMEOUT;

        String tag() {
            return name().toLowerCase();
        }
    }

    private final MeterRegistry registry;
    private final Map<Answer, Counter> answers = new EnumMap<>(Answer.class);
    private final Counter rateLimited;

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Answer answer : Answer.values()) {
            answers.put(answer, Counter.builder("docsync.ingest.batches")
                    .description("Batch submissions appended to the log, by how they were answered")
                    .tag("answer", answer.tag())
                    .register(registry));
        }
        this.rateLimited = Counter.builder("docsync.ingest.rate.limited")
                .description("Requests refused with 429 by the per-actor rate limit")
                .register(registry);
    }

    public void batchAnswered(Answer answer) {
        answers.get(answer).increment();
    }

    public void rateLimited() {
        rateLimited.increment();
    }

    /** Registers the gauge of synchronous callers waiting in this instance. */
    public void waitingCallers(Supplier<Number> count) {
        Gauge.builder("docsync.ingest.sync.waiting", count)
                .description("Synchronous callers waiting for their batch's result in this instance")
                .register(registry);
    }

    /** Registers the gauges of long-polls waiting and event streams open in this instance. */
    public void liveRequests(Supplier<Number> longPolls, Supplier<Number> streams) {
        Gauge.builder("docsync.live.waiting", longPolls)
                .description("Change-feed long-polls waiting for a change in this instance")
                .register(registry);
        Gauge.builder("docsync.live.streams", streams)
                .description("Change event streams open in this instance")
                .register(registry);
    }
}
