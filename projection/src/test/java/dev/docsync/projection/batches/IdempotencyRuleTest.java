package dev.docsync.projection.batches;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdempotencyRuleTest {

    private static final Instant FIRST = Instant.parse("2026-12-03T00:00:00Z");
    private static final UUID ORIGINAL = UUID.fromString("0193a3c0-0000-7000-8000-000000000001");

    private final IdempotencyRule rule = new IdempotencyRule(Duration.ofHours(24));
    private final Optional<IdempotencyKeys.Owner> owner =
            Optional.of(new IdempotencyKeys.Owner("hash-a", ORIGINAL, FIRST));

    @Test
    void aRetryStampedExactlyAtTheEndOfTheRetentionStillRepeatsTheOriginal() {
        assertThat(rule.decide(owner, "hash-a", FIRST.plus(Duration.ofHours(24))))
                .isEqualTo(new IdempotencyRule.Repeats(owner.orElseThrow()));
    }

    @Test
    void oneMicrosecondAfterTheRetentionTheKeyIsFreeAndTheBatchClaimsIt() {
        assertThat(rule.decide(owner, "hash-a", FIRST.plus(Duration.ofHours(24)).plusNanos(1_000)))
                .isEqualTo(new IdempotencyRule.Claims());
    }

    @Test
    void anotherRequestWithAProtectedKeyReusesIt() {
        assertThat(rule.decide(owner, "hash-b", FIRST.plus(Duration.ofHours(24))))
                .isEqualTo(new IdempotencyRule.Reuses());
        assertThat(rule.decide(owner, "hash-b", FIRST)).isEqualTo(new IdempotencyRule.Reuses());
    }

    @Test
    void anUnusedKeyIsClaimed() {
        assertThat(rule.decide(Optional.empty(), "hash-a", FIRST)).isEqualTo(new IdempotencyRule.Claims());
    }
}
