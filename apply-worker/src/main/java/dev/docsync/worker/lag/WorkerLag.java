package dev.docsync.worker.lag;

import dev.docsync.projection.apply.PartitionOffsets;
import dev.docsync.topic.TopicProperties;
import dev.docsync.worker.WorkerProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Lag of the apply-workers' group per partition: the log's last stable offset (what read_committed readers
 * can reach) minus the position stored in PostgreSQL's {@code consumer_offsets}. Positions live in PostgreSQL,
 * not in Kafka, so Kafka's own consumer-group lag tools cannot see them. Measured every
 * {@code docsync.worker.lag-interval}; published as the gauge {@code docsync.worker.lag{partition}} and as the
 * details of the {@code lag} health contributor (informational: lag never makes the worker unready).
 */
@Component("lag")
class WorkerLag implements SmartLifecycle, HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(WorkerLag.class);

    /** Each Kafka call's own bound: the admin client is the app's shared one. */
    private static final int TIMEOUT_MS = 5000;

    private final Admin admin;
    private final PartitionOffsets offsets;
    private final TopicProperties topic;
    private final WorkerProperties properties;
    private final MultiGauge perPartition;
    private volatile SortedMap<Integer, Long> last = new TreeMap<>();
    private volatile String lastError = "not measured yet";
    private ScheduledExecutorService scheduler;

    WorkerLag(Admin admin, PartitionOffsets offsets, TopicProperties topic, WorkerProperties properties,
            MeterRegistry registry) {
        this.admin = admin;
        this.offsets = offsets;
        this.topic = topic;
        this.properties = properties;
        this.perPartition = MultiGauge.builder("docsync.worker.lag")
                .description("Events of the partition not yet applied by the apply-worker group").baseUnit("events")
                .register(registry);
        Gauge.builder("docsync.worker.lag.total", this, lag -> lag.last.values().stream().mapToLong(l -> l).sum())
                .description("Events not yet applied, all partitions").baseUnit("events")
                .register(registry);
    }

    /** Lag per partition at the last measurement; empty before the first. */
    SortedMap<Integer, Long> current() {
        return last;
    }

    void measure() {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic.name()),
                    new DescribeTopicsOptions().timeoutMs(TIMEOUT_MS)).allTopicNames()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS).get(topic.name());
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            description.partitions().forEach(p -> latest.put(new TopicPartition(topic.name(), p.partition()),
                    OffsetSpec.latest()));
            var ends = admin.listOffsets(latest,
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED).timeoutMs(TIMEOUT_MS)).all()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<Integer, Long> stored = offsets.storedPositions(properties.groupId(), topic.name());
            SortedMap<Integer, Long> lag = new TreeMap<>();
            ends.forEach((tp, end) -> lag.put(tp.partition(),
                    Math.max(0, end.offset() - stored.getOrDefault(tp.partition(), 0L))));
            last = lag;
            lastError = null;
            perPartition.register(lag.entrySet().stream()
                    .map(e -> MultiGauge.Row.of(Tags.of("partition", String.valueOf(e.getKey())), e.getValue()))
                    .toList(), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
            log.debug("Cannot measure lag now: {}", lastError);
        }
    }

    @Override
    public Health health() {
        Map<String, Object> partitions = new TreeMap<>();
        last.forEach((partition, lag) -> partitions.put(String.valueOf(partition), lag));
        Health.Builder health = Health.up()
                .withDetail("total", last.values().stream().mapToLong(l -> l).sum())
                .withDetail("partitions", partitions);
        if (lastError != null) {
            health.withDetail("error", lastError);
        }
        return health.build();
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("docsync-lag").daemon()
                .factory());
        long every = properties.lagInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::measure, 0, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
