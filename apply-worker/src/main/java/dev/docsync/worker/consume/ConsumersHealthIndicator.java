package dev.docsync.worker.consume;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code consumers} readiness component: DOWN while this worker does not apply a partition it owns, whether its
 * consumers were stopped by an {@link Error} (until they are running again), a partition is held back after an
 * Error, or a partition waits at an event of a newer schema. Its details and the gauge
 * {@code docsync.apply.partitions.stopped{partition,reason}} say which partitions and why.
 */
@Component
class ConsumersHealthIndicator implements HealthIndicator {

    static final String ERROR = "error";
    static final String NEWER_SCHEMA = "newer_schema";

    private record Halt(String error, Set<TopicPartition> partitions, Instant since) {
    }

    private record Held(String reason, String detail) {
    }

    private final Clock clock;
    private final MultiGauge stopped;
    private final Map<TopicPartition, Held> held = new ConcurrentHashMap<>();
    private volatile Optional<Halt> halt = Optional.empty();

    ConsumersHealthIndicator(MeterRegistry registry, Clock clock) {
        this.clock = clock;
        this.stopped = MultiGauge.builder("docsync.apply.partitions.stopped")
                .description("Partitions this worker owns but does not apply (1 each), by reason: error, newer_schema")
                .register(registry);
    }

    /** The consumers stopped on an Error: DOWN at once, for these partitions (more may be added as threads stop). */
    synchronized void halted(String error, Collection<TopicPartition> partitions) {
        Set<TopicPartition> all = new TreeSet<>(ConsumersHealthIndicator::compare);
        halt.ifPresent(h -> all.addAll(h.partitions()));
        all.addAll(partitions);
        Instant since = halt.map(Halt::since).orElse(clock.instant());
        halt = Optional.of(new Halt(error, all, since));
        publish();
    }

    /** More partitions whose consumer stopped, while halted; ignored otherwise (a normal stop). */
    synchronized void alsoStopped(Collection<TopicPartition> partitions) {
        halt.ifPresent(h -> halted(h.error(), partitions));
    }

    synchronized boolean isHalted() {
        return halt.isPresent();
    }

    /** The partitions stopped by the Error so far, for the one log line. */
    synchronized Set<TopicPartition> haltedPartitions() {
        return halt.map(Halt::partitions).orElse(Set.of());
    }

    /** The consumers run again. */
    synchronized void running() {
        halt = Optional.empty();
        publish();
    }

    synchronized void hold(TopicPartition tp, String reason, String detail) {
        held.put(tp, new Held(reason, detail));
        publish();
    }

    synchronized void release(TopicPartition tp) {
        if (held.remove(tp) != null) {
            publish();
        }
    }

    @Override
    public Health health() {
        Optional<Halt> current = halt;
        Map<String, Object> heldDetails = new TreeMap<>();
        held.forEach((tp, h) -> heldDetails.put(tp.toString(), Map.of("reason", h.reason(), "detail", h.detail())));
        if (current.isEmpty() && heldDetails.isEmpty()) {
            return Health.up().build();
        }
        Health.Builder down = Health.down();
        current.ifPresent(h -> down.withDetail("stopped", Map.of("error", h.error(),
                "partitions", h.partitions().stream().map(TopicPartition::toString).toList(),
                "since", h.since().toString())));
        if (!heldDetails.isEmpty()) {
            down.withDetail("held", heldDetails);
        }
        return down.build();
    }

    private void publish() {
        Map<TopicPartition, String> reasons = new TreeMap<>(ConsumersHealthIndicator::compare);
        halt.ifPresent(h -> h.partitions().forEach(tp -> reasons.put(tp, ERROR)));
        held.forEach((tp, h) -> reasons.put(tp, h.reason()));
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        reasons.forEach((tp, reason) -> rows.add(MultiGauge.Row.of(
                Tags.of("partition", String.valueOf(tp.partition()), "reason", reason), 1)));
        stopped.register(rows, true);
    }

    private static int compare(TopicPartition a, TopicPartition b) {
        int byTopic = a.topic().compareTo(b.topic());
        return byTopic != 0 ? byTopic : Integer.compare(a.partition(), b.partition());
    }
}
