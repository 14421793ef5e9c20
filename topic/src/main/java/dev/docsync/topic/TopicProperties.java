package dev.docsync.topic;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The operations topic: its name, the partitions/replication used when it has to be created, and whether a
 * topic that would delete history may be used anyway (never, unless an operator says so explicitly).
 */
@ConfigurationProperties("docsync.topic")
public record TopicProperties(
        @DefaultValue("docsync.operations") String name,
        @DefaultValue("12") int partitions,
        @DefaultValue("1") short replicationFactor,
        @DefaultValue("false") boolean allowUnsafeRetention) {

    public String deadLetterName() {
        return name + OperationsLogConfiguration.DEAD_LETTER_SUFFIX;
    }
}
