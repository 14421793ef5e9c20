package dev.docsync.local;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/** Looks at the operations topic from outside: how much is in it, and where a workspace lands. */
final class LogInspector implements AutoCloseable {

    private final String bootstrap;
    private final String topic;
    private final Admin admin;

    LogInspector(String bootstrap, String topic) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // A cluster test asks while nodes are down: an answer or an error within seconds, not Kafka's minute.
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        this.admin = Admin.create(config);
    }

    String bootstrap() {
        return bootstrap;
    }

    String topic() {
        return topic;
    }

    /** Sum of the end offsets of all partitions: grows with every record (and transaction marker) written. */
    long totalEndOffset() {
        return endOffsets().values().stream().mapToLong(Long::longValue).sum();
    }

    /** The end offset of each partition of the topic, as it is now. */
    Map<Integer, Long> endOffsets() {
        try {
            Map<TopicPartition, OffsetSpec> request = IntStream.range(0, TestStack.PARTITIONS).boxed()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
            return admin.listOffsets(request).all().get().entrySet().stream()
                    .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Partitions assigned in a consumer group, by static instance id (spring-kafka suffixes it per thread). */
    Map<String, Set<Integer>> assignmentByInstance(String group) {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            Map<String, Set<Integer>> assignment = new TreeMap<>();
            for (MemberDescription member : description.members()) {
                Set<Integer> partitions = assignment.computeIfAbsent(member.groupInstanceId().orElse(member.consumerId()),
                        id -> new TreeSet<>());
                member.assignment().topicPartitions().forEach(tp -> partitions.add(tp.partition()));
            }
            return assignment;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The node id leading a partition of the topic now (-1 while it has none). */
    int leaderOf(int partition) {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            Node leader = description.partitions().get(partition).leader();
            return leader == null ? -1 : leader.id();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Every partition of every topic (the operations topic, its dead letters, Kafka's transaction and offset
     * logs) has all {@code replicas} in sync: a node that came back has caught up, another may be taken away.
     */
    boolean fullyReplicated(int replicas) {
        try {
            Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
            return admin.describeTopics(topics).allTopicNames().get().values().stream()
                    .flatMap(t -> t.partitions().stream())
                    .allMatch(p -> p.isr().size() == replicas && p.leader() != null);
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A plain (non-transactional) producer, for tests that put records into the log by hand. */
    KafkaProducer<String, byte[]> plainProducer() {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(config);
    }

    /**
     * Every committed record (read_committed) of the topic whose key passes {@code keys}, from offset 0 to the
     * end as it is now, in log order per partition.
     */
    List<ConsumerRecord<String, byte[]>> committedRecords(Predicate<String> keys) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read the log to its end " + end);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (keys.test(record.key())) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }

    /** The partition the default partitioner puts a key on (murmur2, as the producer does). */
    static int partitionOf(String workspaceId) {
        return Utils.toPositive(Utils.murmur2(workspaceId.getBytes(StandardCharsets.UTF_8))) % TestStack.PARTITIONS;
    }

    @Override
    public void close() {
        admin.close();
    }
}
