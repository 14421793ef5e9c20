package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.docsync.worker.WorkerApplication;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Topology safety: the projection records its topic's partition count and a worker refuses a topic whose count
 * differs; a stored position beyond a partition's log end (the log lost data) stops that partition loudly
 * instead of skipping or re-reading silently.
 */
class TopologySafetyIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void aWorkerRefusesATopicWhosePartitionCountDiffersFromTheRecordedOne() throws Exception {
        String topic = "resized-" + Batches.workspace("t");
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.log.bootstrap());
        try (Admin admin = Admin.create(config)) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1)
                    .configs(Map.of("retention.ms", "-1")))).all().get();
        }
        stack.jdbc.update("insert into log_topology (topic, partitions) values (?, 3)", topic);

        assertThatThrownBy(() -> startWorker(topic, false).close())
                .hasStackTraceContaining("Topic " + topic + " has 2 partitions but the projection was built from 3");
        try (ConfigurableApplicationContext allowed = startWorker(topic, true)) {
            assertThat(allowed.isRunning()).isTrue();
        }
        assertThat(stack.jdbc.queryForObject("select partitions from log_topology where topic = ?", Integer.class,
                topic)).isEqualTo(2);
        assertThat(stack.jdbc.queryForObject("select partitions from log_topology where topic = 'docsync.operations'",
                Integer.class)).isEqualTo(TestStack.PARTITIONS);
    }

    @Test
    void aStoredPositionBeyondTheLogEndStopsItsPartitionInsteadOfSkipping() {
        String ws = Batches.workspace("ws_lost_log");
        int partition = LogInspector.partitionOf(ws);
        MessageListenerContainer listener = stack.stack.worker().getBean(KafkaListenerEndpointRegistry.class)
                .getListenerContainer("apply-worker");
        listener.stop();
        long real = storedPosition(partition);
        long beyond = real + 1_000;
        setStoredPosition(partition, beyond);
        try {
            listener.start();
            Api.Response accepted = stack.api.postBatch(stack.editor("l", ws),
                    batch(ws, List.of(create("c", "d", "t"))), Map.of("Prefer", "respond-async"));
            assertThat(accepted.status()).isEqualTo(202);
            String batchId = accepted.json().get("batch_id").asString();

            await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).until(() ->
                    storedPosition(partition) == beyond && !applied(batchId));

            listener.stop();
            setStoredPosition(partition, real);
            listener.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> applied(batchId));
        } finally {
            if (!listener.isRunning()) {
                setStoredPosition(partition, real);
                listener.start();
            }
        }
    }

    private boolean applied(String batchId) {
        return stack.jdbc.queryForObject("select count(*) from batch_results where batch_id = ?::uuid", Long.class,
                batchId) == 1;
    }

    private long storedPosition(int partition) {
        return stack.jdbc.queryForObject("select next_offset from consumer_offsets where topic = 'docsync.operations' "
                + "and partition = ?", Long.class, partition);
    }

    private void setStoredPosition(int partition, long offset) {
        stack.jdbc.update("update consumer_offsets set next_offset = ? where topic = 'docsync.operations' "
                + "and partition = ?", offset, partition);
    }

    private ConfigurableApplicationContext startWorker(String topic, boolean allowChange) {
        return new SpringApplicationBuilder(WorkerApplication.class)
                .properties(Map.of("spring.config.name", WorkerApplication.CONFIG_NAME))
                .web(WebApplicationType.NONE)
                .registerShutdownHook(false)
                .run("--spring.datasource.url=" + stack.stack.jdbcUrl(),
                        "--spring.datasource.username=" + stack.stack.databaseUser(),
                        "--spring.datasource.password=",
                        "--spring.kafka.bootstrap-servers=" + stack.log.bootstrap(),
                        "--spring.kafka.listener.auto-startup=false",
                        "--docsync.topic.name=" + topic,
                        "--docsync.worker.allow-partition-change=" + allowChange);
    }
}
