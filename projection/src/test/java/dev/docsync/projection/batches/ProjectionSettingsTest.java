package dev.docsync.projection.batches;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/** The settings both apps read from {@code docsync-projection.yml}: one source, the documented variables. */
class ProjectionSettingsTest {

    private static ResultRetention bind(Map<String, Object> variables) throws IOException {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().addFirst(new MapPropertySource("variables", variables));
        new YamlPropertySourceLoader().load("docsync-projection", new ClassPathResource("docsync-projection.yml"))
                .forEach(environment.getPropertySources()::addLast);
        return Binder.get(environment).bindOrCreate("docsync.retention", ResultRetention.class);
    }

    @Test
    void resultsAreKeptSevenDaysUnlessTheVariableSaysOtherwise() throws IOException {
        assertThat(bind(Map.of()).results()).isEqualTo(Duration.ofDays(7));
        assertThat(bind(Map.of("DOCSYNC_RESULT_RETENTION", "36h")).results()).isEqualTo(Duration.ofHours(36));
    }

    @Test
    void aBatchExpiresOnlyAfterItsStampPlusTheRetention() {
        Instant stamp = Instant.parse("2026-12-03T06:00:00.123Z");
        // A UUIDv7 carries its stamp in its first 48 bits.
        UUID batch = new UUID((stamp.toEpochMilli() << 16) | 0x7000L, 0x8000_0000_0000_0000L);
        ResultRetention retention = new ResultRetention(Duration.ofDays(7));

        assertThat(ResultRetention.stampOf(batch)).contains(stamp);
        assertThat(retention.expired(batch, stamp.plus(Duration.ofDays(7)))).isFalse();
        assertThat(retention.expired(batch, stamp.plus(Duration.ofDays(7)).plusMillis(1))).isTrue();
        assertThat(retention.expired(UUID.randomUUID(), stamp.plus(Duration.ofDays(70)))).isFalse();
    }
}
