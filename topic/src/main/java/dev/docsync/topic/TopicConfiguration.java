package dev.docsync.topic;

import dev.docsync.contracts.OperationsTopic;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * The operations topic as both apps declare it: the topic and its dead-letter topic (created at start-up
 * when missing, never expiring, never resized), the check that refuses a topic that would lose history, and the
 * one Kafka {@link Admin} client of an app.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TopicProperties.class)
public class TopicConfiguration {

    /** spring-kafka's default suffix for dead-letter topics. */
    public static final String DEAD_LETTER_SUFFIX = "-dlt";

    /**
     * The operations topic (and below, where unreadable events and unappliable batches go, its dead-letter topic, kept
     * forever too: part of the audit trail). Created by {@link TopicGuard} when missing and never altered: not
     * declared as {@code NewTopic} beans, because spring-kafka's admin silently adds partitions to an existing
     * topic with fewer, which would move workspaces to other partitions.
     */
    static NewTopic operationsTopic(TopicProperties topic) {
        return TopicBuilder.name(topic.name()).partitions(topic.partitions()).replicas(topic.replicationFactor())
                .configs(OperationsTopic.CONFIGS).build();
    }

    /** With the operations topic's partition count as it is, not as configured: a dead letter keeps its partition. */
    static NewTopic deadLetterTopic(TopicProperties topic, int partitions) {
        return TopicBuilder.name(topic.deadLetterName()).partitions(partitions).replicas(topic.replicationFactor())
                .configs(OperationsTopic.CONFIGS).build();
    }

    /**
     * The app's one Kafka admin client, from Spring Boot's {@code spring.kafka.admin.*} settings (via
     * {@link KafkaAdmin}), shared by the topic's creation and check, the readiness probe and the worker's lag. Each
     * call bounds its own wait; a client id of its own per context, since local mode runs both apps in one JVM.
     */
    @Bean(destroyMethod = "")
    Admin kafkaAdminClient(KafkaAdmin kafkaAdmin) {
        Map<String, Object> config = new HashMap<>(kafkaAdmin.getConfigurationProperties());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "docsync-admin-" + UUID.randomUUID());
        return Admin.create(config);
    }

    /** Closes the client with a short wait (its own close would wait for a broker that is away). */
    @Bean
    DisposableBean kafkaAdminClientCloser(Admin kafkaAdminClient) {
        return () -> kafkaAdminClient.close(Duration.ofSeconds(1));
    }

    /** The {@code kafka} health contributor; both apps put it in their readiness group. */
    @Bean
    KafkaHealthIndicator kafkaHealthIndicator(Admin admin) {
        return new KafkaHealthIndicator(admin, Duration.ofSeconds(2), Duration.ofSeconds(1), Clock.systemUTC());
    }

    @Bean
    TopicGuard topicGuard(Admin admin, TopicProperties topic) {
        return new TopicGuard(admin, topic);
    }
}
