package dev.docsync.worker.apply;

import dev.docsync.contracts.BatchResult;
import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.DocumentView;
import dev.docsync.contracts.ErrorCode;
import dev.docsync.contracts.ErrorInfo;
import dev.docsync.contracts.MergeInfo;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationResult;
import dev.docsync.contracts.ResultStatus;
import dev.docsync.contracts.StorableText;
import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.DocumentChange;
import dev.docsync.projection.apply.DocumentKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Applies one batch to the documents' current state: version checks, the apply order (creates, then
 * updates, then deletes, each in request order), three-way merges of stale operations in batches that ask for
 * them ({@link StaleMerges}) and atomic all-or-nothing. A pure function of the batch's events and the states it
 * is given: no clock, no randomness, no database, so replaying the log reproduces it.
 */
@Component
public class BatchApplier {

    /** The actor of a batch none of whose events can be read. */
    public static final String UNKNOWN_ACTOR = "unknown";

    private static final Comparator<OperationEvent> APPLY_ORDER =
            Comparator.comparing(OperationEvent::operation).thenComparingInt(OperationEvent::seq);

    /**
     * @param state current documents by key (absent = never existed); updated in place with the batch's writes
     * @param versions earlier versions of documents, read only for the stale updates of a batch that merges
     */
    public AppliedBatch apply(GatheredBatch batch, Map<DocumentKey, DocumentView> state, DocumentVersions versions) {
        OperationEvent head = batch.first();
        Map<DocumentKey, DocumentView> written = new HashMap<>();
        OpOutcome[] outcomes = new OpOutcome[batch.events().size()];
        List<DocumentChange> changes = new ArrayList<>();
        StaleMerges merges = new StaleMerges(versions);
        for (OperationEvent op : batch.events().stream().sorted(APPLY_ORDER).toList()) {
            DocumentKey key = new DocumentKey(op.workspaceId(), op.documentId());
            DocumentView current = written.containsKey(key) ? written.get(key) : state.get(key);
            OpOutcome outcome = merges.merge(op, key, current).orElseGet(() -> evaluate(op, current));
            outcomes[op.seq()] = outcome;
            if (outcome instanceof OpOutcome.Writes write) {
                written.put(key, write.after());
                merges.written(write.after());
                Optional<MergeInfo> merge = write instanceof OpOutcome.Merged merged
                        ? Optional.of(MergeInfo.merged(ThreeWayMerge.ALGORITHM, merged.baseVersion())) : Optional.empty();
                changes.add(new DocumentChange(write.after(), op.operation(), op.actor(), op.batchId(),
                        op.clientId(), op.stampedAt(), batch.position(), changes.size(), merge));
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
        CurrentStates budget = new CurrentStates();
        List<OperationResult> results = new ArrayList<>(outcomes.length);
        for (OperationEvent op : batch.events()) {
            results.add(budget.bound(outcomes[op.seq()].toResult(op)));
        }
        BatchResult result = BatchResult.completed(head.batchId(), head.workspaceId(), head.atomic(), results);
        return new AppliedBatch(result, head.actor(), head.stampedAt(), batch.position(), changes);
    }

    /**
     * DESIGN §3.1: one result carries at most {@link #MAX_CURRENT_BYTES} of {@code current} states, each
     * document's at most once; beyond that a result says {@code current_omitted} and the client reads the
     * document. Without the bound, 99 re-creates of one 3 MB document made a 300 MB result.
     */
    static final long MAX_CURRENT_BYTES = 10L * 1024 * 1024;

    private static final class CurrentStates {
        private final Set<String> given = new HashSet<>();
        private long remaining = MAX_CURRENT_BYTES;

        OperationResult bound(OperationResult result) {
            DocumentView current = result.current();
            if (current == null) {
                return result;
            }
            long size = utf8Length(current.title()) + utf8Length(current.content()) + utf8Length(current.yjsStateB64());
            if (!given.add(current.documentId()) || size > remaining) {
                return result.withoutCurrent();
            }
            remaining -= size;
            return result;
        }

        private static long utf8Length(String text) {
            if (text == null) {
                return 0;
            }
            long bytes = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
            }
            return bytes;
        }
    }

    /**
     * A batch the projection refused deterministically ({@code reason}: the database's words): nothing of it
     * applies and every operation says why. Its ids are made storable, since they may be what was refused.
     */
    public AppliedBatch unappliable(GatheredBatch batch, String reason) {
        Map<Integer, OperationEvent> readable = new HashMap<>();
        batch.events().forEach(op -> readable.put(op.seq(), op));
        int count = batch.unreadable() != null ? batch.unreadable().count() : batch.events().size();
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
        Instant stamp = head == null ? batch.unreadable().loggedAt() : head.stampedAt();
        return new AppliedBatch(result, head == null ? UNKNOWN_ACTOR : StorableText.sanitize(head.actor()),
                storable(stamp), batch.position(), List.of());
    }

    /** PostgreSQL's timestamps end in 294276 AD; a stamp beyond years 1–9999 (never ingest's) is recorded as the epoch. */
    private static Instant storable(Instant stamp) {
        return stamp.isBefore(FIRST_STORED_STAMP) || stamp.isAfter(LAST_STORED_STAMP) ? Instant.EPOCH : stamp;
    }

    private static final Instant FIRST_STORED_STAMP = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LAST_STORED_STAMP = Instant.parse("9999-12-31T23:59:59Z");

    /** A retry of {@code original} (same Idempotency-Key and request): nothing applies, it answers as the original. */
    public AppliedBatch duplicate(GatheredBatch batch, UUID original) {
        OperationEvent head = batch.first();
        BatchResult result = BatchResult.completed(head.batchId(), head.workspaceId(), head.atomic(), List.of());
        return new AppliedBatch(result, head.actor(), head.stampedAt(), batch.position(), List.of(), original, null);
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
        GatheredBatch.Unreadable unreadable = batch.unreadable();
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
                head == null ? unreadable.loggedAt() : head.stampedAt(), batch.position(), List.of());
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

    private static OpOutcome evaluate(OperationEvent op, DocumentView current) {
        return switch (op.operation()) {
            case CREATE -> current != null
                    ? new OpOutcome.Failed(ErrorCode.ALREADY_EXISTS,
                            "document " + op.documentId() + " already exists", current)
                    : new OpOutcome.Applied(created(op));
            case UPDATE -> checkWritable(op, current).orElseGet(() -> new OpOutcome.Applied(updated(op, current)));
            case DELETE -> checkWritable(op, current).orElseGet(() -> new OpOutcome.Applied(deleted(op, current)));
        };
    }

    private static Optional<OpOutcome> checkWritable(OperationEvent op, DocumentView current) {
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

    private static DocumentView created(OperationEvent op) {
        DocumentData data = op.data() == null ? DocumentData.EMPTY : op.data();
        return new DocumentView(op.documentId(), op.workspaceId(), 1,
                data.title() == null ? "" : data.title(),
                data.content() == null ? "" : data.content(),
                data.yjsStateB64(), false, op.stampedAt(), op.stampedAt(), op.actor());
    }

    private static DocumentView updated(OperationEvent op, DocumentView current) {
        DocumentData data = op.data() == null ? DocumentData.EMPTY : op.data();
        return new DocumentView(current.documentId(), current.workspaceId(), current.version() + 1,
                data.title() == null ? current.title() : data.title(),
                data.content() == null ? current.content() : data.content(),
                data.yjsStateB64() == null ? current.yjsStateB64() : data.yjsStateB64(),
                false, current.createdAt(), op.stampedAt(), op.actor());
    }

    private static DocumentView deleted(OperationEvent op, DocumentView current) {
        return new DocumentView(current.documentId(), current.workspaceId(), current.version() + 1,
                current.title(), current.content(), current.yjsStateB64(), true, current.createdAt(),
                op.stampedAt(), op.actor());
    }
}
