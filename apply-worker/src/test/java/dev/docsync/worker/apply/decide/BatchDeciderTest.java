package dev.docsync.worker.apply.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.ErrorCode;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationType;
import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.DocumentHead;
import dev.docsync.projection.apply.DocumentKey;
import dev.docsync.projection.apply.LogPosition;
import dev.docsync.projection.batches.IdempotencyRule;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The worker's side of the Idempotency-Key rule, measured between the stamps at the retention's boundary. */
class BatchDeciderTest {

    private static final Instant FIRST = Instant.parse("2026-12-03T00:00:00Z");
    private static final Duration RETENTION = Duration.ofHours(24);

    private final BatchDecider decider = new BatchDecider(new IdempotencyRule(RETENTION));
    private final Map<DocumentKey, DocumentHead> state = new HashMap<>();
    private final Map<List<String>, AppliedBatch.KeyClaim> keys = new HashMap<>();

    private static GatheredBatch batch(String documentId, String requestHash, Instant stampedAt) {
        OperationEvent event = new OperationEvent(1, UUID.randomUUID(), "ws", 0, 1, false, "alice", stampedAt, "c",
                OperationType.CREATE, documentId, null, new DocumentData("t", "x", null),
                new OperationEvent.Idempotency("key-1", requestHash));
        return new GatheredBatch(List.of(event), new LogPosition(0, 0));
    }

    private AppliedBatch decide(GatheredBatch batch) {
        return decider.decide(batch, state, keys, DocumentVersions.none());
    }

    @Test
    void aRetryStampedExactlyAtTheEndOfTheRetentionAnswersAsTheOriginal() {
        GatheredBatch original = batch("d1", "h", FIRST);
        assertThat(decide(original).keyClaim().orElseThrow().batchId()).isEqualTo(original.batchId());

        AppliedBatch retry = decide(batch("d2", "h", FIRST.plus(RETENTION)));

        assertThat(retry.duplicateOf()).contains(original.batchId());
        assertThat(retry.changes()).isEmpty();
        assertThat(state).containsOnlyKeys(new DocumentKey("ws", "d1"));
    }

    @Test
    void aBatchStampedAfterTheRetentionAppliesAndClaimsTheKeyAnew() {
        decide(batch("d1", "h", FIRST));
        GatheredBatch later = batch("d2", "h", FIRST.plus(RETENTION).plusNanos(1_000));

        AppliedBatch applied = decide(later);

        assertThat(applied.duplicateOf()).isEmpty();
        assertThat(applied.keyClaim().orElseThrow().batchId()).isEqualTo(later.batchId());
        assertThat(state).containsKey(new DocumentKey("ws", "d2"));
    }

    @Test
    void anotherRequestWithAProtectedKeyIsRefusedAndAppliesNothing() {
        decide(batch("d1", "h", FIRST));

        AppliedBatch reused = decide(batch("d2", "other", FIRST.plus(RETENTION)));

        assertThat(reused.result().results()).extracting(r -> r.error().code())
                .containsExactly(ErrorCode.IDEMPOTENCY_KEY_REUSED);
        assertThat(reused.keyClaim()).isEmpty();
        assertThat(state).doesNotContainKey(new DocumentKey("ws", "d2"));
    }
}
