package dev.docsync.worker.apply.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.ErrorCode;
import dev.docsync.contracts.MergeInfo;
import dev.docsync.contracts.OnConflict;
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
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /** Every version written so far and every body, as the projection's history would give them. */
    private final Map<List<Object>, DocumentHead> history = new HashMap<>();
    private final Map<String, String> stored = new HashMap<>();
    /** The bodies the merges read, by digest, in order. */
    private final List<String> bodiesRead = new ArrayList<>();

    private final DocumentVersions versions = new DocumentVersions() {
        @Override
        public Optional<DocumentHead> at(DocumentKey key, long version) {
            return Optional.ofNullable(history.get(List.of(key, version)));
        }

        @Override
        public Map<String, Long> sizes(String workspaceId, Collection<String> digests) {
            Map<String, Long> sizes = new HashMap<>();
            digests.stream().filter(stored::containsKey)
                    .forEach(d -> sizes.put(d, DocumentVersions.utf8Bytes(stored.get(d))));
            return sizes;
        }

        @Override
        public Map<String, String> bodies(String workspaceId, Collection<String> digests) {
            Map<String, String> texts = new HashMap<>();
            digests.stream().sorted().filter(stored::containsKey).forEach(d -> {
                bodiesRead.add(d);
                texts.put(d, stored.get(d));
            });
            return texts;
        }
    };

    private AppliedBatch apply(boolean atomic, Instant at, Op... ops) {
        return apply(atomic, OnConflict.REPORT, at, ops);
    }

    private AppliedBatch merging(boolean atomic, Op... ops) {
        return apply(atomic, OnConflict.MERGE, T1, ops);
    }

    private AppliedBatch apply(boolean atomic, OnConflict onConflict, Instant at, Op... ops) {
        UUID batchId = UUID.randomUUID();
        List<OperationEvent> events = new ArrayList<>();
        for (int seq = 0; seq < ops.length; seq++) {
            Op op = ops[seq];
            events.add(new OperationEvent(1, batchId, WS, seq, ops.length, atomic, "actor", at, op.clientId(),
                    op.type(), op.documentId(), op.baseVersion(), op.data(), null, onConflict));
        }
        AppliedBatch batch = applier.apply(new GatheredBatch(events, new LogPosition(0, 42)), state, versions);
        batch.changes().forEach(c -> {
            history.put(List.of(new DocumentKey(WS, c.state().documentId()), c.state().version()), c.state());
            c.bodies().forEach(b -> stored.put(b.digest(), b.text()));
        });
        return batch;
    }

    /** The current content of a document, from the bodies written. */
    private String content(String id) {
        return stored.get(doc(id).contentDigest());
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

        AppliedBatch first = applier.apply(new GatheredBatch(events, new LogPosition(1, 5)), state, DocumentVersions.none());
        AppliedBatch second = applier.apply(new GatheredBatch(events, new LogPosition(1, 5)), copy, DocumentVersions.none());

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
        GatheredBatch batch = new GatheredBatch(List.of(readable), new LogPosition(0, 7), Instant.EPOCH,
                new GatheredBatch.Unreadable(batchId, WS, 2, Map.of(1, "not json")));

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

    @Test
    void aRefusedBatchKeepsAStorableStampAndOtherwiseIsRecordedAtItsLogTime() {
        Instant logged = Instant.parse("2026-12-03T12:00:00Z");
        for (Instant stamp : List.of(Instant.parse("+300000-01-01T00:00:00Z"), Instant.parse("-5000-01-01T00:00:00Z"),
                Instant.MAX, Instant.MIN)) {
            assertThat(applier.unappliable(refused(stamp, logged), "refused").stampedAt()).as(stamp.toString())
                    .isEqualTo(logged);
        }
        assertThat(applier.unappliable(refused(T0, logged), "refused").stampedAt()).isEqualTo(T0);
        assertThat(applier.unappliable(refused(Instant.MAX, Instant.ofEpochMilli(Long.MAX_VALUE)), "refused")
                .stampedAt()).isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));
        assertThat(applier.unappliable(refused(Instant.MIN, Instant.ofEpochMilli(Long.MIN_VALUE)), "refused")
                .stampedAt()).isEqualTo(Instant.parse("0001-01-01T00:00:00Z"));
    }

    private static GatheredBatch refused(Instant stamp, Instant loggedAt) {
        return new GatheredBatch(List.of(new OperationEvent(1, UUID.randomUUID(), WS, 0, 1, false, "actor", stamp,
                "c0", OperationType.CREATE, "d0", null, new DocumentData("t", "x", null))), new LogPosition(0, 3),
                loggedAt);
    }

    private static final String THREE_PARAGRAPHS = "Intro by Alice.\n\nMiddle by Bob.\n\nEnd by Carol.\n";

    private void documentEditedByTheirs(String title, String content, String yjs) {
        apply(false, T0, new Op(OperationType.CREATE, "c", "d", null, new DocumentData("Plan", THREE_PARAGRAPHS, "AQID")));
        apply(false, T0, new Op(OperationType.UPDATE, "theirs", "d", 1L, new DocumentData(title, content, yjs)));
    }

    @Test
    void aStaleUpdateOfAMergeBatchTakesTheFieldsEachSideChanged() {
        documentEditedByTheirs(null, THREE_PARAGRAPHS.replace("Carol", "Carla"), null);

        AppliedBatch batch = merging(false, new Op(OperationType.UPDATE, "mine", "d", 1L,
                new DocumentData("Mine", null, null)));

        OperationResult result = batch.result().results().getFirst();
        assertThat(result.status()).isEqualTo(ResultStatus.MERGED);
        assertThat(result.version()).isEqualTo(3);
        assertThat(result.merge()).isEqualTo(MergeInfo.merged("diff3-lines/1", 1));
        // The merged state is referred to, like every reported state.
        assertThat(result.current()).isNull();
        assertThat(batch.currentStates()).containsExactly(Map.entry(0, new StateRef("d", 3)));
        assertThat(doc("d")).isEqualTo(new DocumentHead("d", WS, 3, "Mine",
                digest(THREE_PARAGRAPHS.replace("Carol", "Carla")), digest("AQID"), false, T0, T1, "actor"));
        // Only the title differed on both sides' paths: decided on digests, no body read, none written.
        assertThat(bodiesRead).isEmpty();
        assertThat(batch.result().successful()).isEqualTo(1);
        assertThat(batch.changes()).singleElement().satisfies(c -> {
            assertThat(c.operation()).isEqualTo(OperationType.UPDATE);
            assertThat(c.merge()).hasValue(MergeInfo.merged("diff3-lines/1", 1));
            assertThat(c.bodies()).isEmpty();
        });
    }

    @Test
    void contentEditedInDifferentParagraphsOnBothSidesMerges() {
        documentEditedByTheirs(null, THREE_PARAGRAPHS.replace("End by Carol.", "End by Carol, edited."), null);

        AppliedBatch batch = merging(false, new Op(OperationType.UPDATE, "mine", "d", 1L,
                new DocumentData(null, THREE_PARAGRAPHS.replace("Intro by Alice.", "Intro by Alice, edited."), null)));

        assertThat(statuses(batch)).containsExactly(ResultStatus.MERGED);
        String merged = "Intro by Alice, edited.\n\nMiddle by Bob.\n\nEnd by Carol, edited.\n";
        assertThat(content("d")).isEqualTo(merged);
        assertThat(batch.changes().getFirst().bodies()).containsExactly(Body.of(merged));
        // Content changed on both sides: base's and theirs' content were read, nothing else.
        assertThat(bodiesRead).containsExactlyInAnyOrder(digest(THREE_PARAGRAPHS),
                digest(THREE_PARAGRAPHS.replace("End by Carol.", "End by Carol, edited.")));
    }

    @Test
    void contentEditedInTheSameParagraphCollidesWithItsHunksAndChangesNothing() {
        documentEditedByTheirs(null, THREE_PARAGRAPHS.replace("Middle by Bob.", "Middle by Bob, theirs."), null);

        AppliedBatch batch = merging(false, new Op(OperationType.UPDATE, "mine", "d", 1L,
                new DocumentData("Mine", THREE_PARAGRAPHS.replace("Middle by Bob.", "Middle by Bob, mine."), null)));

        OperationResult result = batch.result().results().getFirst();
        assertThat(result.status()).isEqualTo(ResultStatus.CONFLICT);
        assertThat(result.error().code()).isEqualTo(ErrorCode.MERGE_CONFLICT);
        assertThat(result.version()).isEqualTo(2);
        assertThat(batch.currentStates()).containsExactly(Map.entry(0, new StateRef("d", 2)));
        assertThat(result.merge().fields()).containsExactly("content");
        assertThat(result.merge().fromBaseVersion()).isEqualTo(1);
        assertThat(result.merge().hunks()).containsExactly(new MergeInfo.Hunk(3, 3, 3, List.of("Middle by Bob."),
                List.of("Middle by Bob, mine."), List.of("Middle by Bob, theirs.")));
        assertThat(doc("d").version()).isEqualTo(2);
        assertThat(batch.changes()).isEmpty();
        assertThat(batch.result().failed()).isEqualTo(1);
    }

    @Test
    void titlesAndYjsStatesChangedOnBothSidesCollide() {
        documentEditedByTheirs("Theirs", null, "BBBB");

        AppliedBatch batch = merging(false, new Op(OperationType.UPDATE, "mine", "d", 1L,
                new DocumentData("Mine", null, "CCCC")));

        OperationResult result = batch.result().results().getFirst();
        assertThat(result.error().code()).isEqualTo(ErrorCode.MERGE_CONFLICT);
        assertThat(result.merge().fields()).containsExactly("title", "yjs_state_b64");
        assertThat(result.error().message()).startsWith("base_version 1, current version 2: ");
    }

    @Test
    void aStaleDeleteCollidesWithTheEditsItDidNotSee() {
        documentEditedByTheirs("Theirs", null, null);

        AppliedBatch batch = merging(false, delete("mine", "d", 1L));

        OperationResult result = batch.result().results().getFirst();
        assertThat(result.error().code()).isEqualTo(ErrorCode.MERGE_CONFLICT);
        assertThat(result.merge().fields()).containsExactly("deleted");
        assertThat(doc("d").deleted()).isFalse();
    }

    @Test
    void anEditOfADocumentDeletedSinceItsBaseCollides() {
        apply(false, T0, new Op(OperationType.CREATE, "c", "d", null, new DocumentData("Plan", THREE_PARAGRAPHS, null)));
        apply(false, T0, delete("theirs", "d", 1L));

        AppliedBatch batch = merging(false, update("mine", "d", 1L, "Mine"));

        OperationResult result = batch.result().results().getFirst();
        assertThat(result.status()).isEqualTo(ResultStatus.CONFLICT);
        assertThat(result.error().code()).isEqualTo(ErrorCode.MERGE_CONFLICT);
        assertThat(result.merge().fields()).containsExactly("deleted");
        assertThat(batch.currentStates()).containsExactly(Map.entry(0, new StateRef("d", 2)));
        assertThat(doc("d").deleted()).isTrue();
    }

    @Test
    void aReportBatchStillReportsAVersionConflict() {
        documentEditedByTheirs(null, THREE_PARAGRAPHS.replace("Carol", "Carla"), null);

        AppliedBatch batch = apply(false, T1, update("mine", "d", 1L, "Mine"));

        OperationResult result = batch.result().results().getFirst();
        assertThat(result.error().code()).isEqualTo(ErrorCode.VERSION_CONFLICT);
        assertThat(result.merge()).isNull();
    }

    @Test
    void aBaseVersionTheDocumentNeverHadIsAVersionConflict() {
        documentEditedByTheirs("Theirs", null, null);

        AppliedBatch batch = merging(false, update("mine", "d", 7L, "Mine"));

        assertThat(batch.result().results().getFirst().error().code()).isEqualTo(ErrorCode.VERSION_CONFLICT);
    }

    @Test
    void anAtomicMergeBatchWithACollisionAppliesNothing() {
        documentEditedByTheirs("Theirs", null, null);
        apply(false, T0, new Op(OperationType.CREATE, "c", "e", null, new DocumentData("E", "e\n", null)));
        apply(false, T0, new Op(OperationType.UPDATE, "theirs", "e", 1L, new DocumentData(null, "e2\n", null)));

        AppliedBatch batch = merging(true, update("merges", "e", 1L, "E mine"), update("collides", "d", 1L, "Mine"));

        assertThat(statuses(batch)).containsExactly(ResultStatus.SKIPPED, ResultStatus.CONFLICT);
        assertThat(batch.result().results().getFirst().error().message()).contains("operation collides");
        assertThat(batch.changes()).isEmpty();
        assertThat(doc("e").version()).isEqualTo(2);
        assertThat(batch.result().successful()).isZero();
    }

    @Test
    void aSecondStaleUpdateInOneBatchMergesWithTheFirst() {
        apply(false, T0, new Op(OperationType.CREATE, "c", "d", null, new DocumentData("Plan", THREE_PARAGRAPHS, null)));

        AppliedBatch batch = merging(false,
                new Op(OperationType.UPDATE, "first", "d", 1L, new DocumentData(null,
                        THREE_PARAGRAPHS.replace("Alice", "Alicia"), null)),
                new Op(OperationType.UPDATE, "second", "d", 1L, new DocumentData("Renamed",
                        THREE_PARAGRAPHS.replace("Carol", "Carla"), null)));

        assertThat(statuses(batch)).containsExactly(ResultStatus.SUCCESS, ResultStatus.MERGED);
        assertThat(doc("d").version()).isEqualTo(3);
        assertThat(doc("d").title()).isEqualTo("Renamed");
        assertThat(content("d")).isEqualTo(THREE_PARAGRAPHS.replace("Alice", "Alicia").replace("Carol", "Carla"));
    }

    /** {@code lines} lines of 100 characters each, the i-th naming {@code who} from line {@code from} on. */
    private static String lines(int lines, int from, String who) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            String line = "line " + i + (i >= from ? " " + who : "");
            text.append(line).append(".".repeat(99 - line.length())).append('\n');
        }
        return text.toString();
    }

    @Test
    void aMergeThatWouldReadMoreContentThanABatchMayCollidesWithoutReadingIt() {
        int count = 24_000; // 2.4 MB a version: base + theirs is more than a batch's merges may read
        String base = lines(count, count, "");
        apply(false, T0, new Op(OperationType.CREATE, "c", "d", null, new DocumentData("Plan", base, null)));
        apply(false, T0, new Op(OperationType.UPDATE, "theirs", "d", 1L,
                new DocumentData(null, base.replace("line 23999.", "line 23999 theirs."), null)));

        AppliedBatch batch = merging(false, new Op(OperationType.UPDATE, "mine", "d", 1L,
                new DocumentData(null, base.replace("line 0.", "line 0 mine."), null)));

        OperationResult result = batch.result().results().getFirst();
        assertThat(result.error().code()).isEqualTo(ErrorCode.MERGE_CONFLICT);
        assertThat(result.merge().fields()).containsExactly("content");
        assertThat(result.error().message()).contains("bytes");
        assertThat(bodiesRead).isEmpty();
        assertThat(doc("d").version()).isEqualTo(2);
    }

    @Test
    void theMergesOfOneBatchShareOneBudgetOfContentRead() {
        int count = 15_000; // 1.5 MB a version: one merge reads 3 MB, the second one finds too little left
        for (String id : List.of("a", "b")) {
            String base = lines(count, count, "");
            apply(false, T0, new Op(OperationType.CREATE, "c", id, null, new DocumentData("Plan", base, null)));
            apply(false, T0, new Op(OperationType.UPDATE, "theirs", id, 1L,
                    new DocumentData(null, base.replace("line 14999.", "line 14999 theirs."), null)));
        }
        String mine = lines(count, count, "").replace("line 0.", "line 0 mine.");

        AppliedBatch batch = merging(false, new Op(OperationType.UPDATE, "first", "a", 1L,
                new DocumentData(null, mine, null)), new Op(OperationType.UPDATE, "second", "b", 1L,
                new DocumentData(null, mine, null)));

        assertThat(statuses(batch)).containsExactly(ResultStatus.MERGED, ResultStatus.CONFLICT);
        assertThat(batch.result().results().get(1).error().code()).isEqualTo(ErrorCode.MERGE_CONFLICT);
        assertThat(bodiesRead).hasSize(2);
        // The same merges in batches of their own both merge: the budget is the batch's, decided from the log.
        AppliedBatch alone = merging(false, new Op(OperationType.UPDATE, "second", "b", 1L,
                new DocumentData(null, mine, null)));
        assertThat(statuses(alone)).containsExactly(ResultStatus.MERGED);
    }
}
