package dev.docsync.topic;

import dev.docsync.contracts.OperationsTopic;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The operations topic: its name, the partitions/replication used when it has to be created, and whether a
 * topic that would delete history may be used anyway (never, unless an operator says so explicitly). Both apps
 * read them from {@code docsync-topic.yml} (with its {@code DOCSYNC_TOPIC*} variables); the defaults here are the
 * same.
 */
@ConfigurationProperties("docsync.topic")
public record TopicProperties(
        @DefaultValue(OperationsTopic.DEFAULT_NAME) String name,
        @DefaultValue("12") int partitions,
        @DefaultValue("1") short replicationFactor,
        @DefaultValue("false") boolean allowUnsafeRetention) {

    public String deadLetterName() {
        return name + TopicConfiguration.DEAD_LETTER_SUFFIX;
    }
}
