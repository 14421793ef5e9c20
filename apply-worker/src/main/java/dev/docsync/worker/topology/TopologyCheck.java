package dev.docsync.worker.topology;

import dev.docsync.projection.apply.LogTopology;
import dev.docsync.topic.TopicGuard;
import dev.docsync.topic.TopicProperties;
import dev.docsync.worker.WorkerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * At start-up, before any consumer: the topic's partition count must be the one the projection recorded (the
 * first start records it). A different count means workspaces now hash to other partitions, which breaks
 * their order and the change feed, so the worker refuses to start unless
 * {@code docsync.worker.allow-partition-change=true} says the operator knows (then the new count is recorded).
 */
@Component
class TopologyCheck implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(TopologyCheck.class);

    private final TopicGuard topicGuard;
    private final LogTopology topology;
    private final TopicProperties topic;
    private final WorkerProperties properties;
    private volatile boolean running;

    TopologyCheck(TopicGuard topicGuard, LogTopology topology, TopicProperties topic, WorkerProperties properties) {
        this.topicGuard = topicGuard;
        this.topology = topology;
        this.topic = topic;
        this.properties = properties;
    }

    @Override
    public void start() {
        int actual = topicGuard.partitionCount();
        int recorded = topology.recordOrRead(topic.name(), actual);
        if (recorded != actual) {
            String message = "Topic " + topic.name() + " has " + actual + " partitions but the projection was built "
                    + "from " + recorded + ": workspaces would move to other partitions, breaking their order and the "
                    + "change feed. Replay into a new topic with the old count, or, knowingly, set "
                    + "docsync.worker.allow-partition-change=true (DOCSYNC_WORKER_ALLOW_PARTITION_CHANGE)";
            if (!properties.allowPartitionChange()) {
                throw new IllegalStateException(message);
            }
            log.warn("{}; allowed, recording {} partitions", message, actual);
            topology.change(topic.name(), actual);
        }
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the topic guard (which creates a missing topic and checks its retention), before the listener containers. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1;
    }
}
