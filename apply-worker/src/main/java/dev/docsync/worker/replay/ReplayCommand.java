package dev.docsync.worker.replay;

import dev.docsync.topic.TopicProperties;
import dev.docsync.projection.apply.RefusedWrite;
import dev.docsync.projection.replay.ProjectionChecksums;
import dev.docsync.projection.replay.ProjectionChecksums.TableComparison;
import dev.docsync.projection.replay.ReplaySchemas;
import dev.docsync.projection.replay.SecondaryIndexes;
import dev.docsync.worker.apply.ChunkApplier;
import dev.docsync.worker.apply.PartitionBuffer;
import dev.docsync.worker.apply.decide.GatheredBatch;
import dev.docsync.worker.consume.NewerSchemaException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
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
    /** Partitions applied side by side, each on a connection of the replay's pool. */
    private static final int LANES = ReplaySchemas.CONNECTIONS;
    /** About this much of a partition's records (as read) is handed to its lane at once: one apply transaction. */
    private static final long HAND_OFF_BYTES = 4L * 1024 * 1024;
    /** The most record bytes read and not yet applied, over all lanes (decoded, they take a few times as much). */
    private static final long IN_FLIGHT_BYTES = 32L * 1024 * 1024;
    /** What a record costs besides its key and value (offsets, headers, the object). */
    private static final int RECORD_OVERHEAD = 128;

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
        // Built once over the loaded rows instead of kept up to date row by row; primary keys stay (the apply uses them).
        List<SecondaryIndexes.Deferred> deferred = schemas.indexes().drop(schema);
        log.info("Replaying {} into schema {} ({} lanes; {} secondary indexes built after the load)", topic.name(),
                schema, LANES, deferred.size());
        try (ChunkApplier target = applier.forSchema(schema)) {
            long started = System.nanoTime();
            Progress progress = readAndApply(target, options);
            // The rebuilt projection records the partition count it was built from, as a live worker does, so a
            // swapped-in replay keeps the topology check (found by the check's test after a swap).
            target.recordTopology(progress.cutoff.size());
            long indexing = System.nanoTime();
            schemas.indexes().build(deferred);
            log.info("Built the {} secondary indexes in {} ms", deferred.size(),
                    Duration.ofNanos(System.nanoTime() - indexing).toMillis());
            Duration applyTime = Duration.ofNanos(System.nanoTime() - started);
            awaitLive(schemas, schema, liveSchema, progress.cutoff);
            long verifyStarted = System.nanoTime();
            List<TableComparison> tables = schemas.checksums()
                    .compare(liveSchema, schema, progress.cutoff);
            Duration verifyTime = Duration.ofNanos(System.nanoTime() - verifyStarted);
            boolean equal = tables.stream().allMatch(TableComparison::equal);
            boolean swapped = options.swap() && equal && swap(schemas, liveSchema, schema);
            Report report = new Report(schema, progress.events.get(), progress.batches.get(), applyTime, verifyTime, tables, swapped);
            log.info("Replay of {} events ({} batches) in {} ms ({} events/s); verified in {} ms: {}", report.events(),
                    report.batches(), applyTime.toMillis(), Math.round(report.eventsPerSecond()), verifyTime.toMillis(),
                    equal ? "EQUAL" : "DIFFERENT");
            return report;
        }
    }

    private static final class Progress {
        final Map<Integer, Long> cutoff = new HashMap<>();
        final AtomicLong records = new AtomicLong();
        final AtomicLong events = new AtomicLong();
        final AtomicLong batches = new AtomicLong();
    }

    /** The records of one partition read and not yet handed to its lane. */
    private static final class Pending {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        long bytes;
    }

    /**
     * One thread reads the log; each partition's records go, in runs of about {@link #HAND_OFF_BYTES}, to its lane
     * ({@link PartitionLanes}), where they are decoded and applied through {@link ChunkApplier#apply}: a run is one
     * transaction unless it holds more event data than the applier's transaction budget. Partitions apply side by
     * side, each in log order, so every batch is decided on the same log before it as live decided it.
     */
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
            Map<TopicPartition, Pending> pending = new HashMap<>();
            Set<TopicPartition> remaining = new HashSet<>();
            for (TopicPartition tp : partitions) {
                progress.cutoff.put(tp.partition(), end.get(tp));
                buffers.put(tp, target.resume(tp.partition()));
                pending.put(tp, new Pending());
                if (end.get(tp) > begin.get(tp)) {
                    remaining.add(tp);
                }
            }
            long total = partitions.stream().mapToLong(tp -> end.get(tp) - begin.get(tp)).sum();
            int idlePolls = 0;
            try (ProgressBar bar = progressBar(total, options.progressBar());
                    PartitionLanes lanes = new PartitionLanes(LANES, IN_FLIGHT_BYTES)) {
                while (!remaining.isEmpty()) {
                    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                    idlePolls = records.isEmpty() ? idlePolls + 1 : 0;
                    if (idlePolls > IDLE_POLLS_BEFORE_GIVING_UP) {
                        throw new IllegalStateException("replay stalled before the end offsets " + end);
                    }
                    for (TopicPartition tp : records.partitions()) {
                        Pending run = pending.get(tp);
                        for (ConsumerRecord<String, byte[]> record : records.records(tp)) {
                            if (record.offset() < end.get(tp)) {
                                run.records.add(record);
                                run.bytes += record.serializedValueSize() + record.serializedKeySize() + RECORD_OVERHEAD;
                            }
                        }
                        if (run.bytes >= HAND_OFF_BYTES) {
                            handOff(lanes, target, tp, buffers.get(tp), pending, progress);
                        }
                    }
                    for (TopicPartition tp : partitions) {
                        if (remaining.contains(tp) && consumer.position(tp) >= end.get(tp)) {
                            remaining.remove(tp);
                            consumer.pause(List.of(tp));
                            handOff(lanes, target, tp, buffers.get(tp), pending, progress);
                        }
                    }
                    bar.stepTo(progress.records.get());
                }
                while (!lanes.finish(Duration.ofMillis(250))) {
                    bar.stepTo(progress.records.get());
                }
                bar.stepTo(progress.records.get());
            }
        }
        return progress;
    }

    private void handOff(PartitionLanes lanes, ChunkApplier target, TopicPartition tp, PartitionBuffer buffer,
            Map<TopicPartition, Pending> pending, Progress progress) {
        Pending run = pending.put(tp, new Pending());
        if (run.records.isEmpty()) {
            return;
        }
        lanes.submit(tp.partition(), run.bytes, () -> apply(target, buffer, run.records, progress));
    }

    /** Records before the replay's end go through the live apply path; unreadable ones are skipped as live dead-lettered them. */
    private void apply(ChunkApplier target, PartitionBuffer buffer, List<ConsumerRecord<String, byte[]>> records,
            Progress progress) {
        long[] unreadable = {0};
        int applied = target.apply(buffer, records, new ChunkApplier.Rejections() {
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
        progress.batches.addAndGet(applied);
        progress.events.addAndGet(records.size() - unreadable[0]);
        progress.records.addAndGet(records.size());
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
