package dev.docsync.topic;

import dev.docsync.contracts.TopicSafety;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Checks the operations topic's retention and cleanup policy at start-up, after the topic was created and
 * before anything is consumed or accepted (lowest lifecycle phase): a topic that deletes or compacts
 * history fails the start with a clear message, unless {@code docsync.topic.allow-unsafe-retention=true}.
 */
public class TopicGuard implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(TopicGuard.class);

    private final Admin admin;
    private final TopicProperties topic;
    private volatile boolean running;

    TopicGuard(Admin admin, TopicProperties topic) {
        this.admin = admin;
        this.topic = topic;
    }

    @Override
    public void start() {
        createIfMissing();
        List<String> problems = TopicSafety.problems(describe());
        if (!problems.isEmpty()) {
            String message = "Topic " + topic.name() + " would lose history: " + String.join("; ", problems);
            if (!topic.allowUnsafeRetention()) {
                throw new IllegalStateException(message + ". Fix it (kafka-configs.sh --alter --entity-type topics"
                        + " --entity-name " + topic.name() + " --add-config retention.ms=-1,retention.bytes=-1,"
                        + "cleanup.policy=delete) or, knowingly, set docsync.topic.allow-unsafe-retention=true");
            }
            log.warn("{} (allowed by docsync.topic.allow-unsafe-retention)", message);
        }
        running = true;
    }

    /**
     * Creates the declared topics that do not exist; the operations topic is never altered (nor resized). The
     * dead-letter topic gets the operations topic's partition count, whatever is configured: a dead letter goes to
     * the partition of its event, and a send to a partition it lacks would block and fail that partition forever.
     * A dead-letter topic with fewer partitions is grown (nothing in it depends on its partition count).
     */
    private void createIfMissing() {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            if (!existing.contains(topic.name())) {
                create(admin, TopicConfiguration.operationsTopic(topic));
            }
            int partitions = partitionCount(admin, topic.name());
            String deadLetters = topic.deadLetterName();
            if (!existing.contains(deadLetters)) {
                create(admin, TopicConfiguration.deadLetterTopic(topic, partitions));
            }
            int deadLetterPartitions = partitionCount(admin, deadLetters);
            if (deadLetterPartitions < partitions) {
                try {
                    admin.createPartitions(Map.of(deadLetters, NewPartitions.increaseTo(partitions)))
                            .all().get(30, TimeUnit.SECONDS);
                    log.warn("Grew dead-letter topic {} from {} to {} partitions, the operations topic's count",
                            deadLetters, deadLetterPartitions, partitions);
                } catch (ExecutionException e) {
                    // Another instance growing it at the same moment is fine; anything else is not.
                    if (partitionCount(admin, deadLetters) < partitions) {
                        throw e;
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create the topics of " + topic.name(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + topic.name(), e);
        }
    }

    private static void create(Admin admin, NewTopic created)
            throws ExecutionException, TimeoutException, InterruptedException {
        try {
            admin.createTopics(List.of(created)).all().get(30, TimeUnit.SECONDS);
            log.info("Created topic {} ({} partitions)", created.name(), created.numPartitions());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e; // another instance creating it at the same moment is fine
            }
        }
    }

    /** A topic created a moment ago may be unknown to the broker that answers for a while: asked again then. */
    private static int partitionCount(Admin admin, String name)
            throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return admin.describeTopics(List.of(name)).allTopicNames().get(30, TimeUnit.SECONDS).get(name)
                        .partitions().size();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** The operations topic's partition count as the cluster has it now. */
    public int partitionCount() {
        try {
            return admin.describeTopics(List.of(topic.name())).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic.name()).partitions().size();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot read the partition count of topic " + topic.name(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading topic " + topic.name(), e);
        }
    }

    private Map<String, String> describe() {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic.name());
        try {
            Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
            Map<String, String> values = new HashMap<>();
            for (ConfigEntry entry : config.entries()) {
                values.put(entry.name(), entry.value());
            }
            return values;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot check the configuration of topic " + topic.name(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while checking topic " + topic.name(), e);
        }
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MIN_VALUE;
    }
}
