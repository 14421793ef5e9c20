package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.docsync.contracts.OperationsTopic;
import dev.docsync.worker.WorkerApplication;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** A topic that would delete history is refused at start-up, unless explicitly allowed. */
class TopicSafetyIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void aWorkerRefusesToStartOnATopicThatExpiresEvents() throws Exception {
        String topic = "expiring-" + Batches.workspace("t");
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.log.bootstrap());
        try (Admin admin = Admin.create(config)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                    .configs(Map.of("retention.ms", "604800000")))).all().get();
        }

        assertThatThrownBy(() -> startWorker(topic, false).close())
                .hasStackTraceContaining("Topic " + topic + " would lose history: retention.ms is 604800000");
        try (ConfigurableApplicationContext allowed = startWorker(topic, true)) {
            assertThat(allowed.isRunning()).isTrue();
        }
    }

    @Test
    void aWorkerRefusesATopicWhosePartitionCountDiffersFromTheRecordedOne() throws Exception {
        String topic = "resized-" + Batches.workspace("t");
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.log.bootstrap());
        try (Admin admin = Admin.create(config)) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1).configs(Map.of("retention.ms", "-1"))))
                    .all().get();
        }
        stack.jdbc.update("insert into log_topology (topic, partitions) values (?, 3)", topic);

        assertThatThrownBy(() -> startWorker(topic, false, "--docsync.worker.allow-partition-change=false").close())
                .hasStackTraceContaining("Topic " + topic + " has 2 partitions but the projection was built from 3");
        try (ConfigurableApplicationContext allowed = startWorker(topic, false,
                "--docsync.worker.allow-partition-change=true")) {
            assertThat(allowed.isRunning()).isTrue();
        }
        assertThat(stack.jdbc.queryForObject("select partitions from log_topology where topic = ?", Integer.class,
                topic)).as("the topic was neither resized nor is the old count kept").isEqualTo(2);
        assertThat(stack.jdbc.queryForObject("select partitions from log_topology where topic = ?",
                Integer.class, OperationsTopic.DEFAULT_NAME)).isEqualTo(TestStack.PARTITIONS);
    }

    @Test
    void theDeadLetterTopicIsCreatedWithTheOperationsTopicsPartitionCount() throws Exception {
        String topic = "dlt-created-" + Batches.workspace("t");
        createTopic(topic, 3);

        // Configured for 12 partitions, but the operations topic has 3: its dead-letter topic must have 3 as well.
        try (ConfigurableApplicationContext worker = startWorker(topic, false, "--docsync.topic.partitions=12")) {
            assertThat(worker.isRunning()).isTrue();
        }
        assertThat(partitionCount(topic + "-dlt")).isEqualTo(3);
    }

    @Test
    void aDeadLetterTopicWithFewerPartitionsIsGrownAtStart() throws Exception {
        String topic = "dlt-short-" + Batches.workspace("t");
        createTopic(topic, 4);
        createTopic(topic + "-dlt", 1);

        // A dead letter of partition 3 would otherwise go to a partition the dead-letter topic lacks.
        try (ConfigurableApplicationContext worker = startWorker(topic, false, "--docsync.topic.partitions=1")) {
            assertThat(worker.isRunning()).isTrue();
        }
        assertThat(partitionCount(topic + "-dlt")).isEqualTo(4);
        assertThat(partitionCount(topic)).as("the operations topic is never resized").isEqualTo(4);
    }

    private void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)
                    .configs(Map.of("retention.ms", "-1")))).all().get();
        }
    }

    private int partitionCount(String name) throws Exception {
        try (Admin admin = admin()) {
            return admin.describeTopics(List.of(name)).allTopicNames().get().get(name).partitions().size();
        }
    }

    private Admin admin() {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.log.bootstrap());
        return Admin.create(config);
    }

    private ConfigurableApplicationContext startWorker(String topic, boolean allowUnsafe, String... more) {
        return new SpringApplicationBuilder(WorkerApplication.class)
                .properties(Map.of("spring.config.name", WorkerApplication.CONFIG_NAME))
                .web(WebApplicationType.NONE)
                .registerShutdownHook(false)
                .run(Stream.concat(Stream.of("--spring.datasource.url=" + stack.stack.jdbcUrl(),
                        "--spring.datasource.username=" + stack.stack.databaseUser(),
                        "--spring.datasource.password=",
                        "--spring.kafka.bootstrap-servers=" + stack.log.bootstrap(),
                        "--spring.kafka.listener.auto-startup=false",
                        "--docsync.topic.name=" + topic,
                        "--docsync.topic.allow-unsafe-retention=" + allowUnsafe), Stream.of(more))
                        .toArray(String[]::new));
    }
}
