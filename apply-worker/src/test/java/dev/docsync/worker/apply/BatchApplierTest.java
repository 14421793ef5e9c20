package dev.docsync.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.ErrorCode;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationResult;
import dev.docsync.contracts.OperationType;
import dev.docsync.contracts.ResultStatus;
import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.Body;
import dev.docsync.projection.apply.DocumentHead;
import dev.docsync.projection.apply.DocumentKey;
import dev.docsync.projection.apply.LogPosition;
import dev.docsync.projection.apply.StateRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BatchApplierTest {

    private static final String WS = "ws";
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00.000Z");
    private static final Instant T1 = Instant.parse("2026-11-25T11:00:00.000Z");

    private final BatchApplier applier = new BatchApplier();
    private final Map<DocumentKey, DocumentHead> state = new HashMap<>();

    private record Op(OperationType type, String clientId, String documentId, Long baseVersion, DocumentData data) {
    }

    private static Op create(String clientId, String documentId, String title) {
        return new Op(OperationType.CREATE, clientId, documentId, null, new DocumentData(title, null, null));
    }

    private static Op update(String clientId, String documentId, Long baseVersion, String title) {
        return new Op(OperationType.UPDATE, clientId, documentId, baseVersion, new DocumentData(title, null, null));
    }

    private static Op delete(String clientId, String documentId, Long baseVersion) {
        return new Op(OperationType.DELETE, clientId, documentId, baseVersion, null);
    }

    private AppliedBatch apply(boolean atomic, Instant at, Op... ops) {
        UUID batchId = UUID.randomUUID();
        List<OperationEvent> events = new ArrayList<>();
        for (int seq = 0; seq < ops.length; seq++) {
            Op op = ops[seq];
            events.add(new OperationEvent(1, batchId, WS, seq, ops.length, atomic, "actor", at, op.clientId(),
                    op.type(), op.documentId(), op.baseVersion(), op.data()));
        }
        return applier.apply(new GatheredBatch(events, new LogPosition(0, 42)), state);
    }

    private static List<ResultStatus> statuses(AppliedBatch batch) {
        return batch.result().results().stream().map(OperationResult::status).toList();
    }

    private DocumentHead doc(String id) {
        return state.get(new DocumentKey(WS, id));
    }

    @Test
    void createStartsAtVersionOneWithEmptyDefaultsAndTheStampAsTimes() {
        AppliedBatch batch = apply(false, T0, new Op(OperationType.CREATE, "c", "d", null, DocumentData.EMPTY));

        assertThat(statuses(batch)).containsExactly(ResultStatus.SUCCESS);
        assertThat(doc("d")).isEqualTo(new DocumentHead("d", WS, 1, "", digest(""), null, false, T0, T0, "actor"));
        assertThat(batch.changes()).hasSize(1);
        assertThat(batch.changes().getFirst().bodies()).containsExactly(Body.of(""));
    }

    @Test
    void updateMergesOnlyTheGivenFieldsAndDeleteKeepsTheLastState() {
        apply(false, T0, new Op(OperationType.CREATE, "c", "d", null, new DocumentData("T", "C", "AQID")));

        AppliedBatch updated = apply(false, T1,
                new Op(OperationType.UPDATE, "u", "d", 1L, new DocumentData(null, "C2", null)));
        assertThat(doc("d")).isEqualTo(
                new DocumentHead("d", WS, 2, "T", digest("C2"), digest("AQID"), false, T0, T1, "actor"));
        assertThat(updated.changes().getFirst().bodies()).containsExactly(Body.of("C2"));

        AppliedBatch deleted = apply(false, T1, delete("x", "d", 2L));
        assertThat(doc("d")).isEqualTo(
                new DocumentHead("d", WS, 3, "T", digest("C2"), digest("AQID"), true, T0, T1, "actor"));
        assertThat(deleted.changes().getFirst().bodies()).isEmpty();
    }

    @Test
    void aStaleBaseVersionIsAConflictCarryingTheCurrentState() {
        apply(false, T0, create("c", "d", "One"));
        apply(false, T0, update("u", "d", 1L, "Two"));

        AppliedBatch batch = apply(false, T1, update("late", "d", 1L, "Lost?"));

        OperationResult result = batch.result().results().getFirst();
        assertThat(result.status()).isEqualTo(ResultStatus.CONFLICT);
        assertThat(result.version()).isEqualTo(2);
        assertThat(result.error().message()).isEqualTo("base_version 1, current version 2");
        // The result names the state it reports; the answer reads it when it is read (DESIGN §3.1).
        assertThat(result.current()).isNull();
        assertThat(batch.currentStates()).containsExactly(Map.entry(0, new StateRef("d", 2)));
        assertThat(doc("d").title()).isEqualTo("Two");
        assertThat(batch.changes()).isEmpty();
    }

    @Test
    void appliesCreatesThenUpdatesThenDeletesButReportsInRequestOrder() {
        AppliedBatch batch = apply(false, T0, delete("3", "d", 2L), update("2", "d", 1L, "v2"), create("1", "d", "v1"));

        assertThat(batch.result().results()).extracting(OperationResult::clientId).containsExactly("3", "2", "1");
        assertThat(batch.result().results()).extracting(OperationResult::version).containsExactly(3L, 2L, 1L);
        assertThat(batch.changes()).extracting(c -> c.operation())
                .containsExactly(OperationType.CREATE, OperationType.UPDATE, OperationType.DELETE);
        assertThat(batch.changes()).extracting(c -> c.applyIndex()).containsExactly(0, 1, 2);
    }

    @Test
    void anAtomicBatchWithAFailureChangesNothingAndSkipsTheRest() {
        apply(false, T0, create("c", "a", "A"));

        AppliedBatch batch = apply(true, T1, create("new", "b", "B"), update("bad", "missing", null, "x"),
                update("ok", "a", 1L, "A2"));

        assertThat(statuses(batch)).containsExactly(ResultStatus.SKIPPED, ResultStatus.ERROR, ResultStatus.SKIPPED);
        assertThat(batch.result().results().getFirst().error().message()).contains("operation bad");
        assertThat(batch.changes()).isEmpty();
        assertThat(doc("b")).isNull();
        assertThat(doc("a").version()).isEqualTo(1);
        assertThat(batch.result().successful()).isZero();
        assertThat(batch.result().failed()).isEqualTo(3);
    }

    @Test
    void aNonAtomicBatchAppliesWhatItCan() {
        AppliedBatch batch = apply(false, T1, create("new", "b", "B"), update("bad", "missing", null, "x"));

        assertThat(statuses(batch)).containsExactly(ResultStatus.SUCCESS, ResultStatus.ERROR);
        assertThat(doc("b").version()).isEqualTo(1);
    }

    @Test
    void writesToADeletedDocumentAndDuplicateCreatesAreErrors() {
        apply(false, T0, create("c", "d", "D"));
        apply(false, T0, delete("x", "d", null));

        AppliedBatch batch = apply(false, T1, create("again", "d", "D"), update("u", "d", null, "x"), delete("y", "d", null));

        assertThat(batch.result().results()).extracting(r -> r.error().code().wire())
                .containsExactly("already_exists", "deleted", "deleted");
    }

    @Test
    void theSameBatchOnTheSameStateGivesTheSameResult() {
        Map<DocumentKey, DocumentHead> copy = new HashMap<>(state);
        UUID batchId = UUID.randomUUID();
        List<OperationEvent> events = List.of(
                new OperationEvent(1, batchId, WS, 0, 2, false, "a", T0, "c", OperationType.CREATE, "d", null, null),
                new OperationEvent(1, batchId, WS, 1, 2, false, "a", T0, "u", OperationType.UPDATE, "d", 1L,
                        new DocumentData("x", null, null)));

        AppliedBatch first = applier.apply(new GatheredBatch(events, new LogPosition(1, 5)), state);
        AppliedBatch second = applier.apply(new GatheredBatch(events, new LogPosition(1, 5)), copy);

        assertThat(second).isEqualTo(first);
        assertThat(copy).isEqualTo(state);
    }

    @Test
    void decidesOnADocumentWhoseContentItNeverSees() {
        // A 9.5 MB document as the apply step sees it: its digests, never its bodies.
        state.put(new DocumentKey(WS, "big"),
                new DocumentHead("big", WS, 7, "Big", "c0ffee", "beef", false, T0, T0, "someone"));

        AppliedBatch batch = apply(false, T1, update("stale", "big", 3L, "x"), update("rename", "big", 7L, "Bigger"),
                update("stale again", "big", 3L, "y"), delete("stale delete", "big", 1L),
                create("exists", "big", "again"));

        assertThat(statuses(batch)).containsExactly(ResultStatus.CONFLICT, ResultStatus.SUCCESS,
                ResultStatus.CONFLICT, ResultStatus.CONFLICT, ResultStatus.ERROR);
        assertThat(batch.result().results()).allSatisfy(r -> assertThat(r.current()).isNull());
        // Apply order: the create first, then the updates in request order, then the delete.
        assertThat(batch.currentStates()).containsExactlyInAnyOrderEntriesOf(Map.of(0, new StateRef("big", 7),
                2, new StateRef("big", 8), 3, new StateRef("big", 8), 4, new StateRef("big", 7)));
        // A title-only update keeps the bodies' digests and brings no body.
        assertThat(doc("big")).isEqualTo(
                new DocumentHead("big", WS, 8, "Bigger", "c0ffee", "beef", false, T0, T1, "actor"));
        assertThat(batch.changes()).singleElement().satisfies(c -> assertThat(c.bodies()).isEmpty());
    }

    @Test
    void aContentUpdateBringsItsBodyAndKeepsTheYjsStateItDoesNotGive() {
        state.put(new DocumentKey(WS, "d"), new DocumentHead("d", WS, 1, "T", "old", "yjs", false, T0, T0, "a"));

        AppliedBatch batch = apply(false, T1,
                new Op(OperationType.UPDATE, "u", "d", 1L, new DocumentData(null, "one edited line", null)));

        assertThat(batch.changes()).singleElement().satisfies(c -> {
            assertThat(c.bodies()).containsExactly(Body.of("one edited line"));
            assertThat(c.state().contentDigest()).isEqualTo(digest("one edited line"));
            assertThat(c.state().yjsDigest()).isEqualTo("yjs");
        });
    }

    @Test
    void aFailedAtomicBatchReportsNoStateItMadeItselfSinceItWasNeverWritten() {
        apply(false, T0, create("c", "d", "One"));

        AppliedBatch batch = apply(true, T1, update("first", "d", 1L, "Two"), update("second", "d", 1L, "Three"),
                update("third", "d", 5L, "Four"));

        assertThat(statuses(batch)).containsExactly(ResultStatus.SKIPPED, ResultStatus.CONFLICT,
                ResultStatus.CONFLICT);
        // "second" conflicts with version 2, which only this batch made: there is nothing to read.
        assertThat(batch.result().results().get(1).currentOmitted()).isTrue();
        assertThat(batch.result().results().get(2).currentOmitted()).isTrue();
        assertThat(batch.currentStates()).isEmpty();
        assertThat(doc("d").version()).isEqualTo(1);
    }

    private static String digest(String text) {
        return Body.of(text).digest();
    }

    @Test
    void aBatchWithAnUnreadableEventAppliesNothingAndEveryResultSaysWhy() {
        UUID batchId = UUID.randomUUID();
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        OperationEvent readable = new OperationEvent(1, batchId, WS, 0, 2, false, "actor", at, "c0",
                OperationType.CREATE, "d0", null, new DocumentData("t", null, null));
        GatheredBatch batch = new GatheredBatch(List.of(readable), new LogPosition(0, 7),
                new GatheredBatch.Unreadable(batchId, WS, 2, Instant.EPOCH, Map.of(1, "not json")));

        AppliedBatch applied = applier.unreadable(batch);

        assertThat(applied.changes()).isEmpty();
        assertThat(applied.result().batchId()).isEqualTo(batchId);
        assertThat(applied.result().successful()).isZero();
        assertThat(applied.result().results()).extracting(r -> r.error().code())
                .containsExactly(ErrorCode.UNREADABLE_EVENT, ErrorCode.UNREADABLE_EVENT);
        assertThat(applied.result().results().get(0).clientId()).isEqualTo("c0");
        assertThat(applied.result().results().get(1).error().message()).contains("operation 1", "not json");
        assertThat(applied.stampedAt()).isEqualTo(at);
    }
}
