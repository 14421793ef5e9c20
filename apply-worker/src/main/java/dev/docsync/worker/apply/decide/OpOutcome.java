package dev.docsync.worker.apply.decide;

import dev.docsync.contracts.ErrorCode;
import dev.docsync.contracts.ErrorInfo;
import dev.docsync.contracts.MergeInfo;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationResult;
import dev.docsync.contracts.ResultStatus;
import dev.docsync.projection.apply.Body;
import dev.docsync.projection.apply.DocumentHead;
import java.util.List;
import java.util.Optional;

/**
 * What applying one operation came to; mapped once, here, to the wire's per-operation result. A result that
 * reports the document's state ({@code current}; for a merge, the merged state) only names it: the answer reads
 * it when it is read.
 */
sealed interface OpOutcome {

    /** An outcome that writes a new version of the document, with the bodies that version brings. */
    sealed interface Writes extends OpOutcome {
        DocumentHead after();

        List<Body> bodies();
    }

    /** @param bodies the bodies the operation brought (its content and Yjs state, where it gave them) */
    record Applied(DocumentHead after, List<Body> bodies) implements Writes {
    }

    /**
     * A stale update merged three-way from {@code baseVersion} with the current state; {@code bodies} are the
     * merged version's bodies not stored before it (the line-merged content, or the fields the operation gave).
     */
    record Merged(DocumentHead after, List<Body> bodies, long baseVersion) implements Writes {
    }

    record Conflict(long baseVersion, DocumentHead current) implements OpOutcome {
    }

    /** A stale operation of a merging batch that could not merge: {@code fields} collided (and {@code hunks}). */
    record MergeConflict(long baseVersion, List<String> fields, List<MergeInfo.Hunk> hunks, boolean hunksTruncated,
            String reason, DocumentHead current) implements OpOutcome {
    }

    /** @param current the document's state to report, or null where there is none (e.g. not_found) */
    record Failed(ErrorCode code, String message, DocumentHead current) implements OpOutcome {
    }

    record Skipped(String failedClientId) implements OpOutcome {
    }

    /** The state this outcome reports as {@code current}, if any: a merge reports the merged state. */
    default Optional<DocumentHead> reported() {
        return switch (this) {
            case Conflict c -> Optional.of(c.current());
            case MergeConflict c -> Optional.of(c.current());
            case Failed f -> Optional.ofNullable(f.current());
            case Merged m -> Optional.of(m.after());
            case Applied a -> Optional.empty();
            case Skipped s -> Optional.empty();
        };
    }

    default OperationResult toResult(OperationEvent op) {
        return switch (this) {
            case Applied a -> new OperationResult(op.clientId(), op.operation(), ResultStatus.SUCCESS,
                    op.documentId(), a.after().version(), null, null);
            case Merged m -> new OperationResult(op.clientId(), op.operation(), ResultStatus.MERGED,
                    op.documentId(), m.after().version(), null, null, null,
                    MergeInfo.merged(ThreeWayMerge.ALGORITHM, m.baseVersion()));
            case Conflict c -> new OperationResult(op.clientId(), op.operation(), ResultStatus.CONFLICT,
                    op.documentId(), c.current().version(),
                    new ErrorInfo(ErrorCode.VERSION_CONFLICT,
                            "base_version " + c.baseVersion() + ", current version " + c.current().version()),
                    null);
            case MergeConflict c -> new OperationResult(op.clientId(), op.operation(), ResultStatus.CONFLICT,
                    op.documentId(), c.current().version(),
                    new ErrorInfo(ErrorCode.MERGE_CONFLICT, "base_version " + c.baseVersion() + ", current version "
                            + c.current().version() + ": " + c.reason()),
                    null, null, new MergeInfo(ThreeWayMerge.ALGORITHM, c.baseVersion(), c.fields(), c.hunks(),
                            c.hunksTruncated()));
            case Failed f -> new OperationResult(op.clientId(), op.operation(), ResultStatus.ERROR,
                    op.documentId(), f.current() == null ? null : f.current().version(),
                    new ErrorInfo(f.code(), f.message()), null);
            case Skipped s -> new OperationResult(op.clientId(), op.operation(), ResultStatus.SKIPPED,
                    op.documentId(), null,
                    new ErrorInfo(ErrorCode.ATOMIC_BATCH_FAILED,
                            "not applied: operation " + s.failedClientId() + " of this atomic batch failed"),
                    null);
        };
    }
}
