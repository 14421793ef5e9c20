package dev.docsync.topic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.contracts.OperationsTopic;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

class TopicSettingsTest {

    /** An environment of {@code variables} only: whatever this machine's environment holds is left out. */
    private static StandardEnvironment environment(Map<String, Object> variables) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().addFirst(new MapPropertySource("variables", variables));
        return environment;
    }

    private static TopicProperties bind(Map<String, Object> variables) throws IOException {
        StandardEnvironment environment = environment(variables);
        new YamlPropertySourceLoader().load("docsync-topic", new ClassPathResource("docsync-topic.yml"))
                .forEach(environment.getPropertySources()::addLast);
        return Binder.get(environment).bindOrCreate("docsync.topic", TopicProperties.class);
    }

    @Test
    void theSharedFileDefaultsToWhatTheRecordAndTheContractSay() throws IOException {
        TopicProperties fromFile = bind(Map.of());
        TopicProperties fromRecord = Binder.get(environment(Map.of()))
                .bindOrCreate("docsync.topic", TopicProperties.class);

        assertThat(fromFile.name()).isEqualTo(OperationsTopic.DEFAULT_NAME);
        assertThat(fromFile).isEqualTo(fromRecord);
    }

    @Test
    void theDocumentedVariablesSetTheTopic() throws IOException {
        TopicProperties topic = bind(Map.of("DOCSYNC_TOPIC", "other.operations", "DOCSYNC_TOPIC_PARTITIONS", "3",
                "DOCSYNC_TOPIC_REPLICATION_FACTOR", "3", "DOCSYNC_TOPIC_ALLOW_UNSAFE_RETENTION", "true"));

        assertThat(topic).isEqualTo(new TopicProperties("other.operations", 3, (short) 3, true));
        assertThat(topic.deadLetterName()).isEqualTo("other.operations-dlt");
    }
}
