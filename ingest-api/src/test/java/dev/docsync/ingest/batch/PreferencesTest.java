package dev.docsync.ingest.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PreferencesTest {

    private static final Duration DEFAULT = Duration.ofSeconds(30);
    private static final Duration MAX = Duration.ofSeconds(120);

    @Test
    void withoutAHeaderTheCallerWaitsTheDefault() {
        assertThat(Preferences.parse(null, DEFAULT, MAX)).isEqualTo(new Preferences(false, DEFAULT));
    }

    @Test
    void readsRespondAsyncAndWaitInAnyOrderAndCase() {
        assertThat(Preferences.parse("wait=5, Respond-Async", DEFAULT, MAX))
                .isEqualTo(new Preferences(true, Duration.ofSeconds(5)));
    }

    @Test
    void capsTheWaitAndIgnoresMalformedPreferences() {
        assertThat(Preferences.parse("wait=9999", DEFAULT, MAX).waitFor()).isEqualTo(MAX);
        assertThat(Preferences.parse("wait=soon, handling=strict", DEFAULT, MAX))
                .isEqualTo(new Preferences(false, DEFAULT));
        assertThat(Preferences.parse("wait=-1", DEFAULT, MAX).waitFor()).isEqualTo(DEFAULT);
    }
}
