package dev.docsync.worker.replay;

import dev.docsync.topic.TopicProperties;
import dev.docsync.projection.apply.RefusedWrite;
import dev.docsync.projection.replay.ProjectionChecksums;
import dev.docsync.projection.replay.ProjectionChecksums.TableComparison;
import dev.docsync.projection.replay.ReplaySchemas;
import dev.docsync.worker.apply.ChunkApplier;
import dev.docsync.worker.apply.PartitionBuffer;
import dev.docsync.worker.apply.decide.GatheredBatch;
import dev.docsync.worker.consume.NewerSchemaException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.stereotype.Component;

/**
 * Rebuilds the projection from offset 0 of the operations topic into a fresh schema while the live one keeps
 * serving, through exactly the live apply path ({@link ChunkApplier#forSchema}), then compares checksums of
 * documents, history and batch results with the live projection up to the same log positions, and optionally
 * swaps the rebuilt schema in.
 */
@Component
public class ReplayCommand {

    /** @param swap put the rebuilt schema in the live one's place when equal (the old one is kept, renamed) */
    public record Options(boolean swap, boolean progressBar) {
    }

    public record Report(String schema, long events, long batches, Duration applyTime, Duration verifyTime,
            List<TableComparison> tables, boolean swapped) {
        public boolean equal() {
            return tables.stream().allMatch(TableComparison::equal);
        }

        public double eventsPerSecond() {
            return events / Math.max(0.001, applyTime.toNanos() / 1e9);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(ReplayCommand.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);
    private static final int IDLE_POLLS_BEFORE_GIVING_UP = 60;

    private final ReplaySchemas schemas;
    private final KafkaProperties kafka;
    private final TopicProperties topic;
    private final ChunkApplier applier;
    private final Clock clock;

    ReplayCommand(ReplaySchemas schemas, KafkaProperties kafka, TopicProperties topic, ChunkApplier applier,
            Clock clock) {
        this.schemas = schemas;
        this.kafka = kafka;
        this.topic = topic;
        this.applier = applier;
        this.clock = clock;
    }

    public Report run(Options options) {
        String liveSchema = schemas.liveSchema();
        String schema = "replay_" + STAMP.format(clock.instant()) + "_" + Math.floorMod(System.nanoTime(), 1000);
        schemas.create(schema);
        log.info("Replaying {} into schema {}", topic.name(), schema);
        try (ChunkApplier target = applier.forSchema(schema)) {
            long started = System.nanoTime();
            Progress progress = readAndApply(target, options);
            // The rebuilt projection records the partition count it was built from, as a live worker does, so a
            // swapped-in replay keeps the topology check (found by the check's test after a swap).
            target.recordTopology(progress.cutoff.size());
            Duration applyTime = Duration.ofNanos(System.nanoTime() - started);
            awaitLive(schemas, schema, liveSchema, progress.cutoff);
            long verifyStarted = System.nanoTime();
            List<TableComparison> tables = schemas.checksums()
                    .compare(liveSchema, schema, progress.cutoff);
            Duration verifyTime = Duration.ofNanos(System.nanoTime() - verifyStarted);
            boolean equal = tables.stream().allMatch(TableComparison::equal);
            boolean swapped = options.swap() && equal && swap(schemas, liveSchema, schema);
            Report report = new Report(schema, progress.events, progress.batches, applyTime, verifyTime, tables, swapped);
            log.info("Replay of {} events ({} batches) in {} ms ({} events/s); verified in {} ms: {}", report.events(),
                    report.batches(), applyTime.toMillis(), Math.round(report.eventsPerSecond()), verifyTime.toMillis(),
                    equal ? "EQUAL" : "DIFFERENT");
            return report;
        }
    }

    private static final class Progress {
        final Map<Integer, Long> cutoff = new HashMap<>();
        long events;
        long batches;
    }

    private Progress readAndApply(ChunkApplier target, Options options) {
        Progress progress = new Progress();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProperties(),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, PartitionBuffer> buffers = new HashMap<>();
            Set<TopicPartition> remaining = new HashSet<>();
            for (TopicPartition tp : partitions) {
                progress.cutoff.put(tp.partition(), end.get(tp));
                buffers.put(tp, target.resume(tp.partition()));
                if (end.get(tp) > begin.get(tp)) {
                    remaining.add(tp);
                }
            }
            long total = partitions.stream().mapToLong(tp -> end.get(tp) - begin.get(tp)).sum();
            int idlePolls = 0;
            try (ProgressBar bar = progressBar(total, options.progressBar())) {
                while (!remaining.isEmpty()) {
                    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                    idlePolls = records.isEmpty() ? idlePolls + 1 : 0;
                    if (idlePolls > IDLE_POLLS_BEFORE_GIVING_UP) {
                        throw new IllegalStateException("replay stalled before the end offsets " + end);
                    }
                    for (TopicPartition tp : records.partitions()) {
                        apply(target, buffers.get(tp), records.records(tp), end.get(tp), progress);
                    }
                    long done = 0;
                    for (TopicPartition tp : partitions) {
                        long position = Math.min(consumer.position(tp), end.get(tp));
                        done += position - begin.get(tp);
                        if (position >= end.get(tp) && remaining.remove(tp)) {
                            consumer.pause(List.of(tp));
                        }
                    }
                    bar.stepTo(done);
                }
            }
        }
        return progress;
    }

    /** Records before the replay's end go through the live apply path; unreadable ones are skipped as live dead-lettered them. */
    private void apply(ChunkApplier target, PartitionBuffer buffer, List<ConsumerRecord<String, byte[]>> records,
            long end, Progress progress) {
        List<ConsumerRecord<String, byte[]>> before = records.stream().filter(r -> r.offset() < end).toList();
        if (before.isEmpty()) {
            return;
        }
        long[] unreadable = {0};
        progress.batches += target.apply(buffer, before, new ChunkApplier.Rejections() {
            @Override
            public void unreadable(ConsumerRecord<String, byte[]> record, RuntimeException reason) {
                if (reason instanceof NewerSchemaException) {
                    // Live waits for a newer worker at this event; a replay by this one cannot rebuild past it.
                    throw new IllegalStateException("cannot replay " + record.topic() + "-" + record.partition() + "@"
                            + record.offset() + ": " + reason.getMessage() + "; replay with a newer worker", reason);
                }
                unreadable[0]++;
            }

            @Override
            public void unappliable(GatheredBatch batch, RefusedWrite reason) {
                // Rejected exactly as live rejected it; live already dead-lettered it.
            }
        }).size();
        progress.events += before.size() - unreadable[0];
    }

    /** Live keeps applying; compare only once it has applied at least what the replay did. */
    private void awaitLive(ReplaySchemas schemas, String schema, String liveSchema, Map<Integer, Long> cutoff) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (schemas.partitionsLiveIsBehind(schema, liveSchema) > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the live projection has not caught up with the replay's end " + cutoff);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the live projection", e);
            }
        }
    }

    /**
     * Puts the rebuilt schema in the live one's place ({@link ReplaySchemas#swap}). Running ingest and worker
     * instances reconnect to the rebuilt schema; a worker then finds a stored position that is not the one it
     * expected, is fenced, re-reads it and applies whatever came after the replay's end.
     */
    private boolean swap(ReplaySchemas schemas, String liveSchema, String schema) {
        String retired = schemas.swap(liveSchema, schema);
        log.warn("Swapped: the rebuilt projection is now schema {}; the old one is kept as {}", liveSchema, retired);
        return true;
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> properties = new HashMap<>(kafka.buildConsumerProperties());
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        properties.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        return properties;
    }

    private static ProgressBar progressBar(long total, boolean terminal) {
        ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName("replay").setInitialMax(total)
                .setUnit(" events", 1).showSpeed().setUpdateIntervalMillis(250);
        if (!terminal) {
            builder.setConsumer(new DelegatingProgressBarConsumer(log::info)).setUpdateIntervalMillis(5000);
        }
        return builder.build();
    }
}
