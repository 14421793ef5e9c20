package dev.docsync.ingest;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** The operations topic: name, and the partitions/replication used when it has to be created. */
@ConfigurationProperties("docsync.topic")
public record TopicProperties(
        @DefaultValue("docsync.operations") String name,
        @DefaultValue("12") int partitions,
        @DefaultValue("1") short replicationFactor) {
}
