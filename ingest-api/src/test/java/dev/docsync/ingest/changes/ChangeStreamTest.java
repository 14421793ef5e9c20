package dev.docsync.ingest.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

import dev.docsync.ingest.IngestMetrics;
import dev.docsync.projection.changes.FeedPosition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

class ChangeStreamTest {

    /**
     * The client went away and the container already handled the error: sending fails, and so does completing
     * (Tomcat: "A non-container (application) thread attempted to use the AsyncContext after an error"). The
     * stream still ends and gives its slot back, and nothing is thrown on the stream's thread.
     */
    @Test
    void aStreamWhoseConnectionFailedEndsAndGivesItsSlotBackEvenWhenCompletingIsRefused() {
        LiveProperties properties = Binder.get(new StandardEnvironment()).bindOrCreate("docsync.live",
                LiveProperties.class);
        LiveRequests live = new LiveRequests(properties, new WorkspaceSignals(), new IngestMetrics(
                new SimpleMeterRegistry()));
        SseEmitter gone = new SseEmitter() {
            @Override
            public void send(SseEventBuilder event) throws IOException {
                throw new IOException("Broken pipe");
            }

            @Override
            public void complete() {
                throw new IllegalStateException("A non-container (application) thread attempted to use the "
                        + "AsyncContext after an error had occurred");
            }
        };
        ChangeStream stream = new ChangeStream("ws_a", FeedPosition.START, gone, null, live);

        assertThatNoException().isThrownBy(() -> stream.open("alice", Duration.ofMinutes(1)));
        assertThat(live.streams.get()).isZero();
        assertThat(live.slots.held()).isZero();
    }
}
