package dev.docsync.worker.apply.decide;

import dev.docsync.contracts.BatchResult;
import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.ErrorCode;
import dev.docsync.contracts.ErrorInfo;
import dev.docsync.contracts.MergeInfo;
import dev.docsync.contracts.OnConflict;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationResult;
import dev.docsync.contracts.OperationType;
import dev.docsync.contracts.ResultStatus;
import dev.docsync.contracts.StorableText;
import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.Body;
import dev.docsync.projection.apply.DocumentChange;
import dev.docsync.projection.apply.DocumentHead;
import dev.docsync.projection.apply.DocumentKey;
import dev.docsync.projection.apply.StateRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Applies one batch to the documents' current state: version checks, the apply order (creates, then
 * updates, then deletes, each in request order), three-way merges of stale operations in batches that ask for
 * them ({@link StaleMerges}) and atomic all-or-nothing. A pure function of the batch's events and the states it
 * is given: no clock, no randomness, no database, so replaying the log reproduces it.
 * It sees documents without their bodies ({@link DocumentHead}): deciding needs versions, flags, titles and
 * digests, a write brings its own bodies, and a result names the state it reports instead of copying it. Only a
 * stale update that a merge must merge line-wise reads bodies (base and current content, through
 * {@link DocumentVersions}).
 */
public class BatchApplier {

    /** The actor of a batch none of whose events can be read. */
    public static final String UNKNOWN_ACTOR = "unknown";

    private static final Comparator<OperationEvent> APPLY_ORDER =
            Comparator.comparing(OperationEvent::operation).thenComparingInt(OperationEvent::seq);

    /**
     * @param state current documents by key (absent = never existed), without their bodies; updated in place
     *     with the batch's writes
     * @param versions earlier versions of documents and stored bodies, read only for the stale updates of a batch
     *     that merges
     */
    public AppliedBatch apply(GatheredBatch batch, Map<DocumentKey, DocumentHead> state, DocumentVersions versions) {
        OperationEvent head = batch.first();
        Map<DocumentKey, DocumentHead> written = new HashMap<>();
        OpOutcome[] outcomes = new OpOutcome[batch.events().size()];
        boolean[] reportsOwnWrite = new boolean[outcomes.length];
        List<DocumentChange> changes = new ArrayList<>();
        StaleMerges merges = new StaleMerges(versions);
        for (OperationEvent op : batch.events().stream().sorted(APPLY_ORDER).toList()) {
            DocumentKey key = new DocumentKey(op.workspaceId(), op.documentId());
            reportsOwnWrite[op.seq()] = written.containsKey(key);
            DocumentHead current = written.containsKey(key) ? written.get(key) : state.get(key);
            OpOutcome outcome = merges.merge(op, key, current).orElseGet(() -> evaluate(op, current));
            outcomes[op.seq()] = outcome;
            if (outcome instanceof OpOutcome.Writes write) {
                written.put(key, write.after());
                merges.written(write.after(), write.bodies());
                Optional<MergeInfo> merge = write instanceof OpOutcome.Merged merged
                        ? Optional.of(MergeInfo.merged(ThreeWayMerge.ALGORITHM, merged.baseVersion()))
                        : Optional.empty();
                changes.add(new DocumentChange(write.after(), write.bodies(), op.operation(), op.actor(),
                        op.batchId(), op.clientId(), op.stampedAt(), batch.position(), changes.size(), merge));
            }
        }
        Optional<OperationEvent> firstFailure = head.atomic() ? firstFailure(batch, outcomes) : Optional.empty();
        if (firstFailure.isPresent()) {
            String failed = firstFailure.get().clientId();
            for (int i = 0; i < outcomes.length; i++) {
                if (outcomes[i] instanceof OpOutcome.Writes) {
                    outcomes[i] = new OpOutcome.Skipped(failed);
                }
            }
            changes.clear();
        } else {
            state.putAll(written);
        }
        List<OperationResult> results = new ArrayList<>(outcomes.length);
        Map<Integer, StateRef> currentStates = new HashMap<>();
        for (OperationEvent op : batch.events()) {
            OpOutcome outcome = outcomes[op.seq()];
            OperationResult result = outcome.toResult(op);
            Optional<DocumentHead> current = outcome.reported();
            if (current.isPresent() && firstFailure.isPresent() && reportsOwnWrite[op.seq()]) {
                // A state this failed atomic batch made itself was never written: there is nothing to refer to.
                result = result.withoutCurrent();
            } else if (current.isPresent()) {
                currentStates.put(results.size(), current.get().ref());
            }
            results.add(result);
        }
        BatchResult result = BatchResult.completed(head.batchId(), head.workspaceId(), head.atomic(), results);
        return new AppliedBatch(result, currentStates, head.actor(), head.stampedAt(), batch.position(), changes);
    }

    /**
     * The memory the merges of {@code batch} may add to its apply transaction beyond its events: the content they
     * read (at most {@link StaleMerges#MAX_BATCH_READ_BYTES} of base and current together) and the merged bodies
     * they make (each at most base + mine + theirs, so all together at most that bound plus the content the
     * batch's updates bring). Zero for a batch that cannot merge: one that does not ask to, or has no update with a
     * {@code base_version}. A bound known from the batch alone, before anything is read, so the worker can cut
     * its transactions by it (DESIGN §6.8).
     */
    public static long mergeReserveBytes(GatheredBatch batch) {
        long mine = 0;
        boolean mayMerge = false;
        for (OperationEvent op : batch.events()) {
            if (op.onConflict() == OnConflict.MERGE && op.operation() == OperationType.UPDATE
                    && op.baseVersion() != null) {
                mayMerge = true;
                mine += op.data() == null || op.data().content() == null ? 0 : op.data().content().length();
            }
        }
        return mayMerge ? 2 * StaleMerges.MAX_BATCH_READ_BYTES + mine : 0;
    }

    /**
     * A batch the projection refused deterministically ({@code reason}: the database's words): nothing of it
     * applies and every operation says why. Its ids are made storable, since they may be what was refused.
     */
    public AppliedBatch unappliable(GatheredBatch batch, String reason) {
        Map<Integer, OperationEvent> readable = new HashMap<>();
        batch.events().forEach(op -> readable.put(op.seq(), op));
        int count = batch.unreadable().map(GatheredBatch.Unreadable::count).orElse(batch.events().size());
        ErrorInfo error = new ErrorInfo(ErrorCode.UNAPPLIABLE,
                "the projection refused this batch, so none of it applied: " + StorableText.sanitize(reason));
        List<OperationResult> results = new ArrayList<>(count);
        for (int seq = 0; seq < count; seq++) {
            OperationEvent op = readable.get(seq);
            results.add(op == null ? new OperationResult(null, null, ResultStatus.ERROR, null, null, error, null)
                    : new OperationResult(StorableText.sanitize(op.clientId()), op.operation(), ResultStatus.ERROR,
                            StorableText.sanitize(op.documentId()), null, error, null));
        }
        OperationEvent head = batch.events().isEmpty() ? null : batch.first();
        BatchResult result = BatchResult.completed(batch.batchId(), StorableText.sanitize(batch.workspaceId()),
                head == null || head.atomic(), results);
        Instant stamp = head == null ? batch.loggedAt() : head.stampedAt();
        return new AppliedBatch(result, head == null ? UNKNOWN_ACTOR : StorableText.sanitize(head.actor()),
                storable(stamp, batch.loggedAt()), batch.position(), List.of());
    }

    /**
     * The stamp a rejection is recorded with. PostgreSQL's timestamps end in 294276 AD, and a stamp beyond years
     * 1–9999 (never ingest's) may be what was refused: such a batch is recorded at the log's timestamp of its first
     * record (clamped into those years), which replay reads too. Its result is then kept for the retention from
     * about when it was written, as any other; the epoch, recorded before, was pruned at once (a refused caller
     * could not read why).
     */
    static Instant storable(Instant stamp, Instant loggedAt) {
        if (!stamp.isBefore(FIRST_STORED_STAMP) && !stamp.isAfter(LAST_STORED_STAMP)) {
            return stamp;
        }
        return loggedAt.isBefore(FIRST_STORED_STAMP) ? FIRST_STORED_STAMP
                : loggedAt.isAfter(LAST_STORED_STAMP) ? LAST_STORED_STAMP : loggedAt;
    }

    private static final Instant FIRST_STORED_STAMP = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LAST_STORED_STAMP = Instant.parse("9999-12-31T23:59:59Z");

    /** A retry of {@code original} (same Idempotency-Key and request): nothing applies, it answers as the original. */
    public AppliedBatch duplicate(GatheredBatch batch, UUID original) {
        OperationEvent head = batch.first();
        BatchResult result = BatchResult.completed(head.batchId(), head.workspaceId(), head.atomic(), List.of());
        return AppliedBatch.duplicate(result, head.actor(), head.stampedAt(), batch.position(), original);
    }

    /** The Idempotency-Key was used before with another request: nothing applies, every operation says why. */
    public AppliedBatch keyReused(GatheredBatch batch) {
        OperationEvent head = batch.first();
        List<OperationResult> results = batch.events().stream().map(op -> new OpOutcome.Failed(
                ErrorCode.IDEMPOTENCY_KEY_REUSED, "Idempotency-Key " + op.idempotency().key()
                        + " was used before with a different request", null).toResult(op)).toList();
        BatchResult result = BatchResult.completed(head.batchId(), head.workspaceId(), head.atomic(), results);
        return new AppliedBatch(result, head.actor(), head.stampedAt(), batch.position(), List.of());
    }

    /**
     * A batch with events that cannot be read: nothing of it applies, because what the client asked for is
     * not known; every operation's result says so (readable ones keep their ids). With no readable event the
     * actor is unknown and the log's timestamp stands in for the stamp, so replay decides the same.
     */
    public AppliedBatch unreadable(GatheredBatch batch) {
        GatheredBatch.Unreadable unreadable = batch.unreadable().orElseThrow();
        Map<Integer, OperationEvent> readable = new HashMap<>();
        batch.events().forEach(op -> readable.put(op.seq(), op));
        List<OperationResult> results = new ArrayList<>(unreadable.count());
        for (int seq = 0; seq < unreadable.count(); seq++) {
            OperationEvent op = readable.get(seq);
            String reason = unreadable.reasons().get(seq);
            ErrorInfo error = new ErrorInfo(ErrorCode.UNREADABLE_EVENT, reason != null
                    ? "operation " + seq + " of this batch cannot be read: " + abbreviate(reason)
                    : "not applied: operation(s) " + unreadable.reasons().keySet() + " of this batch cannot be read");
            results.add(op == null ? new OperationResult(null, null, ResultStatus.ERROR, null, null, error, null)
                    : new OperationResult(op.clientId(), op.operation(), ResultStatus.ERROR, op.documentId(), null,
                            error, null));
        }
        OperationEvent head = batch.events().isEmpty() ? null : batch.first();
        BatchResult result = BatchResult.completed(unreadable.batchId(), unreadable.workspaceId(),
                head == null || head.atomic(), results);
        return new AppliedBatch(result, head == null ? UNKNOWN_ACTOR : head.actor(),
                head == null ? batch.loggedAt() : head.stampedAt(), batch.position(), List.of());
    }

    private static String abbreviate(String reason) {
        return StorableText.abbreviate(reason, 200);
    }

    /** The failing operation that comes first in apply order, which the skipped ones name. */
    private static Optional<OperationEvent> firstFailure(GatheredBatch batch, OpOutcome[] outcomes) {
        return batch.events().stream().sorted(APPLY_ORDER)
                .filter(op -> !(outcomes[op.seq()] instanceof OpOutcome.Writes))
                .findFirst();
    }

    private static OpOutcome evaluate(OperationEvent op, DocumentHead current) {
        return switch (op.operation()) {
            case CREATE -> current != null
                    ? new OpOutcome.Failed(ErrorCode.ALREADY_EXISTS,
                            "document " + op.documentId() + " already exists", current)
                    : created(op);
            case UPDATE -> checkWritable(op, current).orElseGet(() -> updated(op, current));
            case DELETE -> checkWritable(op, current).orElseGet(() -> deleted(op, current));
        };
    }

    private static Optional<OpOutcome> checkWritable(OperationEvent op, DocumentHead current) {
        if (current == null) {
            return Optional.of(new OpOutcome.Failed(ErrorCode.NOT_FOUND,
                    "document " + op.documentId() + " does not exist", null));
        }
        if (current.deleted()) {
            return Optional.of(new OpOutcome.Failed(ErrorCode.DELETED,
                    "document " + op.documentId() + " was deleted at version " + current.version(), current));
        }
        if (op.baseVersion() != null && op.baseVersion() != current.version()) {
            return Optional.of(new OpOutcome.Conflict(op.baseVersion(), current));
        }
        return Optional.empty();
    }

    /** Absent fields of a create are empty: the empty content is a body like any other. */
    private static OpOutcome.Applied created(OperationEvent op) {
        DocumentData data = op.data() == null ? DocumentData.EMPTY : op.data();
        List<Body> bodies = new ArrayList<>(2);
        Body content = Body.of(data.content() == null ? "" : data.content());
        bodies.add(content);
        String yjsDigest = null;
        if (data.yjsStateB64() != null) {
            Body yjs = Body.of(data.yjsStateB64());
            bodies.add(yjs);
            yjsDigest = yjs.digest();
        }
        return new OpOutcome.Applied(new DocumentHead(op.documentId(), op.workspaceId(), 1,
                data.title() == null ? "" : data.title(), content.digest(), yjsDigest, false, op.stampedAt(),
                op.stampedAt(), op.actor()), bodies);
    }

    /** Only the fields an update gives change; a body it does not give keeps its digest and is not touched. */
    private static OpOutcome.Applied updated(OperationEvent op, DocumentHead current) {
        DocumentData data = op.data() == null ? DocumentData.EMPTY : op.data();
        List<Body> bodies = new ArrayList<>(2);
        String contentDigest = current.contentDigest();
        if (data.content() != null) {
            Body content = Body.of(data.content());
            bodies.add(content);
            contentDigest = content.digest();
        }
        String yjsDigest = current.yjsDigest();
        if (data.yjsStateB64() != null) {
            Body yjs = Body.of(data.yjsStateB64());
            bodies.add(yjs);
            yjsDigest = yjs.digest();
        }
        return new OpOutcome.Applied(new DocumentHead(current.documentId(), current.workspaceId(),
                current.version() + 1, data.title() == null ? current.title() : data.title(), contentDigest,
                yjsDigest, false, current.createdAt(), op.stampedAt(), op.actor()), bodies);
    }

    private static OpOutcome.Applied deleted(OperationEvent op, DocumentHead current) {
        return new OpOutcome.Applied(new DocumentHead(current.documentId(), current.workspaceId(),
                current.version() + 1, current.title(), current.contentDigest(), current.yjsDigest(), true,
                current.createdAt(), op.stampedAt(), op.actor()), List.of());
    }
}
