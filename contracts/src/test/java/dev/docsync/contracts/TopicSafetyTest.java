package dev.docsync.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicSafetyTest {

    @Test
    void theTopicAsDocsyncCreatesItIsSafe() {
        assertThat(TopicSafety.problems(OperationsTopic.CONFIGS)).isEmpty();
    }

    @Test
    void expiringSizeBoundedOrCompactedTopicsAreRefused() {
        assertThat(TopicSafety.problems(Map.of("retention.ms", "604800000", "cleanup.policy", "delete")))
                .singleElement().asString().startsWith("retention.ms is 604800000");
        assertThat(TopicSafety.problems(Map.of("retention.ms", "-1", "retention.bytes", "1073741824")))
                .singleElement().asString().startsWith("retention.bytes");
        assertThat(TopicSafety.problems(Map.of("retention.ms", "-1", "cleanup.policy", "compact, delete")))
                .singleElement().asString().startsWith("cleanup.policy");
    }
}
