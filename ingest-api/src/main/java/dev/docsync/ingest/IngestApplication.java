package dev.docsync.ingest;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.ingest.batch.BatchRequestParser;
import dev.docsync.projection.batches.BatchReader;
import dev.docsync.projection.batches.BatchReceipts;
import dev.docsync.projection.batches.IdempotencyKeys;
import dev.docsync.projection.batches.IdempotencyProperties;
import dev.docsync.projection.batches.ResultRetention;
import dev.docsync.projection.changes.ChangeFeedReader;
import dev.docsync.projection.documents.DocumentReader;
import dev.docsync.projection.documents.SnapshotReader;
import dev.docsync.projection.signals.BatchSignals;
import dev.docsync.topic.TopicConfiguration;
import java.time.Clock;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.json.ProblemDetailJacksonMixin;
import tools.jackson.databind.json.JsonMapper;

/** The ingest API: accepts batches, writes them to the log, answers with their results; serves reads. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableConfigurationProperties({IdempotencyProperties.class, ResultRetention.class})
@Import({TopicConfiguration.class, DocumentReader.class, BatchReader.class, BatchReceipts.class,
        ChangeFeedReader.class, IdempotencyKeys.class, SnapshotReader.class, BatchSignals.class})
public class IngestApplication {

    /** Each app reads its own configuration file, so both can share one JVM in local mode. */
    public static final String CONFIG_NAME = "ingest-api";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(IngestApplication.class);
        app.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }

    @Bean
    JsonMapper jsonMapper() {
        return DocsyncJson.builder().addMixIn(ProblemDetail.class, ProblemDetailJacksonMixin.class).build();
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    BatchRequestParser batchRequestParser(IngestProperties properties) {
        return new BatchRequestParser(BatchRequestParser.Limits.of(properties.maxOperations(),
                properties.maxTitleLength(), properties.maxContentLength(), properties.maxYjsStateLength()));
    }
}
