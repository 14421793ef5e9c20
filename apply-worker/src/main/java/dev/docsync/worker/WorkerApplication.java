package dev.docsync.worker;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.projection.apply.LogTopology;
import dev.docsync.projection.apply.PartitionOffsets;
import dev.docsync.projection.apply.ProjectionWriter;
import dev.docsync.projection.batches.IdempotencyProperties;
import dev.docsync.projection.batches.ResultRetention;
import dev.docsync.projection.replay.ReplaySchemas;
import dev.docsync.projection.signals.BatchSignals;
import dev.docsync.topic.TopicConfiguration;
import dev.docsync.worker.replay.ReplayCommand;
import dev.docsync.worker.replay.ReplayReport;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import tools.jackson.databind.json.JsonMapper;

/** The apply-worker: consumes the operations topic and applies it to the PostgreSQL projection. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableConfigurationProperties({IdempotencyProperties.class, ResultRetention.class})
@Import({TopicConfiguration.class, ProjectionWriter.class, BatchSignals.class, PartitionOffsets.class,
        LogTopology.class, ReplaySchemas.class})
public class WorkerApplication {

    /** Each app reads its own configuration file, so both can share one JVM in local mode. */
    public static final String CONFIG_NAME = "apply-worker";


    /** {@code java -jar apply-worker.jar} consumes; {@code ... replay [--swap]} rebuilds the projection and exits. */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("replay")) {
            System.exit(replay(Arrays.copyOfRange(args, 1, args.length)));
        }
        SpringApplication app = new SpringApplication(WorkerApplication.class);
        app.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }

    /** Runs a replay against the configured Kafka and PostgreSQL (no consuming, no web); 0 when equal. */
    public static int replay(String[] args) {
        boolean swap = Arrays.asList(args).contains("--swap");
        String[] springArgs = Arrays.stream(args).filter(a -> !a.equals("--swap")).toArray(String[]::new);
        SpringApplication app = new SpringApplication(WorkerApplication.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME, "spring.kafka.listener.auto-startup", "false"));
        try (ConfigurableApplicationContext context = app.run(springArgs)) {
            ReplayCommand.Report report = context.getBean(ReplayCommand.class)
                    .run(new ReplayCommand.Options(swap, System.console() != null));
            System.out.println(ReplayReport.format(report));
            return report.equal() ? 0 : 1;
        }
    }

    @Bean
    JsonMapper jsonMapper() {
        return DocsyncJson.mapper();
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    DefaultKafkaConsumerFactoryCustomizer staticMembership(WorkerProperties properties) {
        return factory -> {
            if (properties.instanceId() != null && !properties.instanceId().isBlank()) {
                factory.updateConfigs(Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, properties.instanceId()));
            }
        };
    }

    /**
     * Unreadable events go to {@code <topic>-dlt}, same partition, with the reason in spring-kafka's standard
     * {@code kafka_dlt-*} headers; the publish is awaited, so an event is never dropped silently.
     */
    @Bean
    ConsumerRecordRecoverer deadLetters(KafkaOperations<Object, Object> kafka) {
        return new DeadLetterPublishingRecoverer(kafka);
    }
}
