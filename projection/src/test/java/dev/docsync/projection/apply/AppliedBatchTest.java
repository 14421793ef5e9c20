package dev.docsync.projection.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.docsync.contracts.BatchResult;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AppliedBatchTest {

    private static final Instant AT = Instant.parse("2026-12-03T10:00:00Z");
    private final UUID original = UUID.randomUUID();
    private final UUID retry = UUID.randomUUID();

    @Test
    void aRetryAnsweredAsItsOriginalClaimsNoKey() {
        AppliedBatch duplicate = AppliedBatch.duplicate(BatchResult.completed(retry, "ws", false, List.of()), "alice",
                AT, new LogPosition(0, 1), original);

        assertThat(duplicate.duplicateOf()).contains(original);
        assertThat(duplicate.keyClaim()).isEmpty();
        assertThat(duplicate.changes()).isEmpty();
        assertThatThrownBy(() -> duplicate.withKeyClaim(new AppliedBatch.KeyClaim("alice", "ws", "k", "h", retry, AT)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBatchThatClaimsAKeyRepeatsNothing() {
        AppliedBatch claimed = new AppliedBatch(BatchResult.completed(original, "ws", false, List.of()), "alice", AT,
                new LogPosition(0, 0), List.of())
                .withKeyClaim(new AppliedBatch.KeyClaim("alice", "ws", "k", "h", original, AT));

        assertThat(claimed.keyClaim()).map(AppliedBatch.KeyClaim::batchId).contains(original);
        assertThat(claimed.duplicateOf()).isEmpty();
    }
}
