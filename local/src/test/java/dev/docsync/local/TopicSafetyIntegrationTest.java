package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.docsync.worker.WorkerApplication;
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

    private ConfigurableApplicationContext startWorker(String topic, boolean allowUnsafe) {
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
                        "--docsync.topic.allow-unsafe-retention=" + allowUnsafe);
    }
}
