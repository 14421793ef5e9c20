package dev.docsync.ingest.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.docsync.ingest.web.ApiProblem;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LiveSlotsTest {

    private final LiveSlots slots = new LiveSlots(3, 2, Duration.ofSeconds(5));

    @Test
    void anActorBeyondItsShareIsToldToRetryWith429() {
        slots.acquire("alice", () -> { });
        slots.acquire("alice", () -> { });

        assertThatThrownBy(() -> slots.acquire("alice", () -> { }))
                .isInstanceOfSatisfying(ApiProblem.class, p -> {
                    assertThat(p.detail().getStatus()).isEqualTo(429);
                    assertThat(p.retryAfter()).isEqualTo(Duration.ofSeconds(5));
                });
        assertThat(slots.held()).isEqualTo(2);
    }

    @Test
    void theInstanceBeyondItsBoundAnswers503AndAClosedSlotFreesItsPlaceOnce() {
        LiveSlots.Slot first = slots.acquire("alice", () -> { });
        slots.acquire("bob", () -> { });
        slots.acquire("carol", () -> { });

        assertThatThrownBy(() -> slots.acquire("dave", () -> { }))
                .isInstanceOfSatisfying(ApiProblem.class, p -> {
                    assertThat(p.detail().getStatus()).isEqualTo(503);
                    assertThat(p.retryAfter()).isNotNull();
                });
        first.close();
        first.close();
        assertThat(slots.held()).isEqualTo(2);
        slots.acquire("dave", () -> { });
        assertThatThrownBy(() -> slots.acquire("erin", () -> { })).isInstanceOf(ApiProblem.class);
    }

    @Test
    void shutdownEndsEveryHeldRequestAndRefusesNewOnes() {
        AtomicInteger ended = new AtomicInteger();
        slots.acquire("alice", ended::incrementAndGet);
        slots.acquire("bob", ended::incrementAndGet);

        slots.closeAll();

        assertThat(ended).hasValue(2);
        assertThatThrownBy(() -> slots.acquire("carol", () -> { }))
                .isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.detail().getStatus()).isEqualTo(503));
    }
}
