package dev.docsync.worker.consume;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.topic.TopicProperties;
import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.RefusedWrite;
import dev.docsync.worker.apply.decide.GatheredBatch;
import dev.docsync.projection.apply.FencedOutException;
import dev.docsync.worker.WorkerProperties;
import dev.docsync.worker.apply.ChunkApplier;
import dev.docsync.worker.apply.PartitionBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.event.ListenerContainerIdleEvent;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.stereotype.Component;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Consumes the operations topic (read_committed) and hands each partition's records to the {@link ChunkApplier}.
 * Positions live in PostgreSQL: on assignment the consumer seeks to the stored offset, and nothing is ever
 * committed to Kafka. When applying fails, the partition is rewound to its stored position and paused for a
 * bounded exponential back-off (resumed on a later poll or idle event once its time has come; the consumer's
 * other partitions keep applying meanwhile), so a failure can delay a batch but never lose or repeat one.
 */
@Component
class OperationsListener implements ConsumerSeekAware {

    static final String LISTENER_ID = "apply-worker";

    private static final Logger log = LoggerFactory.getLogger(OperationsListener.class);

    private final Map<TopicPartition, PartitionBuffer> buffers = new ConcurrentHashMap<>();
    private final Map<TopicPartition, BackOffExecution> failing = new ConcurrentHashMap<>();
    /** Partitions paused after a failed apply: resumed once the clock reaches their time (millis). */
    private final Map<TopicPartition, Long> retryAt = new ConcurrentHashMap<>();
    /** Partitions whose stored position lies beyond the log's end: paused, never skipped. */
    private final Set<TopicPartition> stopped = ConcurrentHashMap.newKeySet();
    /** Partitions held back after their apply threw an Error: paused until the time, then tried again. */
    private final Map<TopicPartition, Hold> holds = new ConcurrentHashMap<>();
    /** Partitions waiting at an event of a newer schema: applied up to it, then paused. */
    private final Map<TopicPartition, NewerAt> newer = new ConcurrentHashMap<>();
    private final ChunkApplier applier;
    private final ConsumerRecordRecoverer deadLetters;
    private final WorkerProperties properties;
    private final ApplyMetrics metrics;
    private final ConsumerFaults faults;
    private final ConsumerSupervisor supervisor;
    private final ConsumersHealthIndicator health;
    private final Clock clock;
    private final String topic;

    /** Held for {@code delay} from when the partition's records come again after the restart ({@code until}). */
    private record Hold(long delay, BackOffExecution backOff, OptionalLong until) {
        Hold started(long now) {
            return until.isPresent() ? this : new Hold(delay, backOff, OptionalLong.of(now + delay));
        }

        boolean due(long now) {
            return until.isPresent() && now >= until.getAsLong();
        }
    }

    private record NewerAt(long offset, int schema) {
    }

    /** Thrown through the apply when it meets an event of a newer schema: where, and which schema. */
    private static final class NewerSchemaReached extends RuntimeException {
        private final transient NewerAt at;

        NewerSchemaReached(long offset, NewerSchemaException cause) {
            super(cause.getMessage(), cause, false, false);
            this.at = new NewerAt(offset, cause.schema());
        }
    }

    OperationsListener(ChunkApplier applier, ConsumerRecordRecoverer deadLetters, WorkerProperties properties, ApplyMetrics metrics,
            TopicProperties topic, ConsumerFaults faults, ConsumerSupervisor supervisor,
            ConsumersHealthIndicator health, Clock clock) {
        this.applier = applier;
        this.deadLetters = deadLetters;
        this.properties = properties;
        this.metrics = metrics;
        this.faults = faults;
        this.supervisor = supervisor;
        this.health = health;
        this.clock = clock;
        this.topic = topic.name();
    }

    @Override
    public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
        for (TopicPartition tp : assignments.keySet()) {
            buffers.remove(tp);
            try {
                PartitionBuffer buffer = applier.resume(tp.partition());
                callback.seek(tp.topic(), tp.partition(), buffer.committed());
                buffers.put(tp, buffer);
                log.info("Assigned {}: resuming at stored offset {}", tp, buffer.committed());
            } catch (RuntimeException e) {
                // No position, no processing: records of this partition are ignored until it is positioned.
                log.error("Assigned {} but cannot read its stored position; will retry", tp, e);
            }
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> {
            buffers.remove(tp);
            failing.remove(tp);
            retryAt.remove(tp);
            stopped.remove(tp);
            // Closing a consumer that an Error stopped revokes its partitions too: they stay held (and waiting) then,
            // for the restarted consumers, which take the same partitions back (static membership).
            if (!health.isHalted()) {
                holds.remove(tp);
                newer.remove(tp);
                health.release(tp);
            }
        });
        log.info("Revoked {}", partitions);
    }

    @KafkaListener(id = LISTENER_ID, topics = "${docsync.topic.name}", groupId = "${docsync.worker.group-id}",
            concurrency = "${docsync.worker.concurrency}", batch = "true")
    void onRecords(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) {
        Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> byPartition = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            byPartition.computeIfAbsent(new TopicPartition(record.topic(), record.partition()), tp -> new ArrayList<>())
                    .add(record);
        }
        resumeDue(consumer);
        byPartition.forEach((tp, partitionRecords) -> {
            try {
                onPartitionRecords(tp, partitionRecords, consumer);
            } catch (Error e) {
                // spring-kafka stops every consumer of this worker on an Error; the supervisor restarts them, and
                // this partition waits a while before it is tried again, so that the others apply meanwhile.
                hold(tp, e);
                supervisor.errorOnConsumerThread(e, consumer.assignment());
                throw e;
            }
        });
    }

    /** Between polls of a consumer whose partitions bring nothing (a held or retrying one is paused): resume what is due. */
    @EventListener
    void onIdle(ListenerContainerIdleEvent event) {
        resumeDue(event.getConsumer());
    }

    private void hold(TopicPartition tp, Error e) {
        Hold previous = holds.get(tp);
        BackOffExecution backOff = previous != null ? previous.backOff() : errorBackOff().start();
        long delay = Math.max(0, backOff.nextBackOff());
        holds.put(tp, new Hold(delay, backOff, OptionalLong.empty()));
        health.hold(tp, ConsumersHealthIndicator.ERROR, "applying it threw " + ConsumerSupervisor.describe(e)
                + "; held back " + delay + " ms, then tried again");
    }

    /** On the consumer thread: partitions held after an Error or paused after a failure whose time has come resume. */
    private void resumeDue(Consumer<?, ?> consumer) {
        if (holds.isEmpty() && retryAt.isEmpty()) {
            return;
        }
        long now = clock.millis();
        List<TopicPartition> held = consumer.paused().stream()
                .filter(tp -> holds.containsKey(tp) && holds.get(tp).due(now))
                .toList();
        if (!held.isEmpty()) {
            log.info("{}: trying again after the Error", held);
            consumer.resume(held);
        }
        List<TopicPartition> retrying = consumer.paused().stream()
                .filter(tp -> retryAt.containsKey(tp) && retryAt.get(tp) <= now)
                .toList();
        if (!retrying.isEmpty()) {
            retrying.forEach(retryAt::remove);
            log.debug("{}: trying again after the back-off", retrying);
            consumer.resume(retrying);
        }
    }

    private void onPartitionRecords(TopicPartition tp, List<ConsumerRecord<String, byte[]>> records,
            Consumer<?, ?> consumer) {
        if (stopped.contains(tp)) {
            consumer.pause(List.of(tp));
            return;
        }
        PartitionBuffer buffer = buffers.get(tp);
        Long retry = retryAt.get(tp);
        if (retry != null) {
            if (clock.millis() < retry) {
                // Records of a partition backing off came anyway (its pause did not outlive a rebalance).
                backOff(tp, consumer, retry);
                return;
            }
            retryAt.remove(tp);
        }
        if (buffer != null && records.getFirst().offset() < buffer.committed()) {
            // The consumer was seeked to the stored position and came back earlier: that position was out of
            // range, beyond the log's end. The log lost what was applied (e.g. a single broker's unflushed
            // tail); resuming anywhere would skip or reorder edits, so the partition stops, loudly.
            log.error("{}: the stored position {} lies beyond the end of the log (the consumer was reset to {}). "
                    + "The log has lost events this projection applied. The partition is STOPPED: nothing of it "
                    + "is applied until an operator repairs the log or rebuilds the projection (replay).",
                    tp, buffer.committed(), records.getFirst().offset());
            stopped.add(tp);
            buffers.remove(tp);
            consumer.pause(List.of(tp));
            return;
        }
        if (buffer == null) {
            if (consumer.assignment().contains(tp)) {
                positionFromStore(tp, consumer);
            }
            return; // not positioned (or revoked while in flight): these records are read again later
        }
        Hold hold = holds.get(tp);
        if (hold != null && !hold.due(clock.millis())) {
            holds.put(tp, hold.started(clock.millis()));
            position(tp, consumer, buffer.committed());
            consumer.pause(List.of(tp));
            return;
        }
        NewerAt waiting = newer.get(tp);
        List<ConsumerRecord<String, byte[]>> applicable = waiting == null ? records
                : records.stream().filter(r -> r.offset() < waiting.offset()).toList();
        if (!applicable.isEmpty() && !apply(tp, buffer, applicable, consumer)) {
            return;
        }
        if (applicable.size() < records.size()) {
            // Applied up to the newer event: wait there, paused, for a worker that reads its schema.
            position(tp, consumer, buffer.committed());
            consumer.pause(List.of(tp));
        }
    }

    /** One hand-over to the applier; false when it failed (the partition is then positioned to be read again). */
    private boolean apply(TopicPartition tp, PartitionBuffer buffer, List<ConsumerRecord<String, byte[]>> records,
            Consumer<?, ?> consumer) {
        try {
            List<AppliedBatch> applied = metrics.applyChunk(() -> {
                faults.check(records);
                return applier.apply(buffer, records, rejections);
            });
            log.debug("{}: applied {} batches, position {}", tp, applied.size(), buffer.committed());
            failing.remove(tp);
            if (holds.remove(tp) != null) {
                health.release(tp);
                log.info("{}: applies again after the Error", tp);
            }
            supervisor.applied();
            return true;
        } catch (NewerSchemaReached e) {
            newer.put(tp, e.at);
            log.error("{}: the event at offset {} is of schema {}, newer than this worker reads ({}). The partition is "
                    + "PAUSED there: it applies up to that event, and the rest once a worker that reads schema {} "
                    + "runs (upgrade the apply-workers); other partitions keep applying.", tp, e.at.offset(),
                    e.at.schema(), properties.highestKnownSchema(), e.at.schema());
            health.hold(tp, ConsumersHealthIndicator.NEWER_SCHEMA, "paused at offset " + e.at.offset()
                    + ": event schema " + e.at.schema() + " is newer than this worker reads ("
                    + properties.highestKnownSchema() + "); a newer worker applies it");
            position(tp, consumer, buffer.committed());
            return false;
        } catch (FencedOutException e) {
            log.warn("{}: {}; re-reading its stored position", tp, e.getMessage());
            positionFromStore(tp, consumer);
            return false;
        } catch (RuntimeException e) {
            long delay = failing.computeIfAbsent(tp, t -> backOff().start()).nextBackOff();
            log.error("{}: applying failed; rewinding to offset {} and retrying in {} ms", tp, buffer.committed(),
                    delay, e);
            backOff(tp, consumer, clock.millis() + delay);
            return false;
        }
    }

    /**
     * Unreadable events and unappliable batches go to the dead-letter topic with the reason in its headers; the
     * publish is awaited, and if it fails the partition rewinds (and the apply transaction rolls back).
     */
    private final ChunkApplier.Rejections rejections = new ChunkApplier.Rejections() {
        @Override
        public void unreadable(ConsumerRecord<String, byte[]> record, RuntimeException reason) {
            if (reason instanceof NewerSchemaException newerSchema) {
                throw new NewerSchemaReached(record.offset(), newerSchema); // not unreadable: a newer worker reads it
            }
            log.error("Unreadable event at {}-{}@{}: sending it to the dead-letter topic", record.topic(),
                    record.partition(), record.offset(), reason);
            deadLetters.accept(record, reason);
            metrics.deadLettered();
        }

        @Override
        public void unappliable(GatheredBatch batch, RefusedWrite reason) {
            UnappliableBatchException failure = new UnappliableBatchException(batch, reason);
            for (OperationEvent event : batch.events()) {
                ConsumerRecord<String, byte[]> record = new ConsumerRecord<>(topic, batch.position().partition(),
                        batch.position().offset(), event.workspaceId(), DocsyncJson.mapper().writeValueAsBytes(event));
                deadLetters.accept(record, failure);
            }
            metrics.unappliable();
        }
    };

    /** Forget what was gathered and read the partition again from {@code offset}. */
    private void position(TopicPartition tp, Consumer<?, ?> consumer, long offset) {
        buffers.put(tp, applier.at(tp.partition(), offset));
        consumer.seek(tp, offset);
    }

    private void positionFromStore(TopicPartition tp, Consumer<?, ?> consumer) {
        buffers.remove(tp);
        try {
            PartitionBuffer buffer = applier.resume(tp.partition());
            buffers.put(tp, buffer);
            consumer.seek(tp, buffer.committed());
        } catch (RuntimeException e) {
            long delay = failing.computeIfAbsent(tp, t -> backOff().start()).nextBackOff();
            log.error("{}: cannot read the stored position; retrying in {} ms", tp, delay, e);
            backOff(tp, consumer, clock.millis() + delay);
        }
    }

    /**
     * Rewinds the partition to its stored position (if it has one; else it is positioned from the store when it
     * comes again) and pauses it until {@code until}: no sleep on the consumer thread, which owns other partitions.
     */
    private void backOff(TopicPartition tp, Consumer<?, ?> consumer, long until) {
        PartitionBuffer buffer = buffers.get(tp);
        if (buffer != null) {
            position(tp, consumer, buffer.committed());
        }
        retryAt.put(tp, until);
        consumer.pause(List.of(tp));
    }

    private ExponentialBackOff errorBackOff() {
        ExponentialBackOff backOff = new ExponentialBackOff(properties.errorRestartInitialInterval().toMillis(), 2.0);
        backOff.setMaxInterval(properties.errorRestartMaxInterval().toMillis());
        return backOff;
    }

    private ExponentialBackOff backOff() {
        ExponentialBackOff backOff = new ExponentialBackOff(properties.retryInitialInterval().toMillis(), 2.0);
        backOff.setMaxInterval(properties.retryMaxInterval().toMillis());
        return backOff;
    }

}
