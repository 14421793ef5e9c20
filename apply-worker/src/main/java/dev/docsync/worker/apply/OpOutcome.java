package dev.docsync.worker.apply;

import dev.docsync.contracts.DocumentView;
import dev.docsync.contracts.ErrorCode;
import dev.docsync.contracts.ErrorInfo;
import dev.docsync.contracts.MergeInfo;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationResult;
import dev.docsync.contracts.ResultStatus;
import java.util.List;

/** What applying one operation came to; mapped once, here, to the wire's per-operation result. */
sealed interface OpOutcome {

    /** An outcome that writes a new version of the document. */
    sealed interface Writes extends OpOutcome {
        DocumentView after();
    }

    record Applied(DocumentView after) implements Writes {
    }

    /** A stale update merged three-way from {@code baseVersion} with the current state. */
    record Merged(DocumentView after, long baseVersion) implements Writes {
    }

    record Conflict(long baseVersion, DocumentView current) implements OpOutcome {
    }

    /** A stale operation of a merging batch that could not merge: {@code fields} collided (and {@code hunks}). */
    record MergeConflict(long baseVersion, List<String> fields, List<MergeInfo.Hunk> hunks, boolean hunksTruncated,
            String reason, DocumentView current) implements OpOutcome {
    }

    record Failed(ErrorCode code, String message, DocumentView current) implements OpOutcome {
    }

    record Skipped(String failedClientId) implements OpOutcome {
    }

    default OperationResult toResult(OperationEvent op) {
        return switch (this) {
            case Applied a -> new OperationResult(op.clientId(), op.operation(), ResultStatus.SUCCESS,
                    op.documentId(), a.after().version(), null, null);
            case Merged m -> new OperationResult(op.clientId(), op.operation(), ResultStatus.MERGED,
                    op.documentId(), m.after().version(), null, m.after(), null,
                    MergeInfo.merged(ThreeWayMerge.ALGORITHM, m.baseVersion()));
            case Conflict c -> new OperationResult(op.clientId(), op.operation(), ResultStatus.CONFLICT,
                    op.documentId(), c.current().version(),
                    new ErrorInfo(ErrorCode.VERSION_CONFLICT,
                            "base_version " + c.baseVersion() + ", current version " + c.current().version()),
                    c.current());
            case MergeConflict c -> new OperationResult(op.clientId(), op.operation(), ResultStatus.CONFLICT,
                    op.documentId(), c.current().version(),
                    new ErrorInfo(ErrorCode.MERGE_CONFLICT, "base_version " + c.baseVersion() + ", current version "
                            + c.current().version() + ": " + c.reason()),
                    c.current(), null, new MergeInfo(ThreeWayMerge.ALGORITHM, c.baseVersion(), c.fields(), c.hunks(),
                            c.hunksTruncated()));
            case Failed f -> new OperationResult(op.clientId(), op.operation(), ResultStatus.ERROR,
                    op.documentId(), f.current() == null ? null : f.current().version(),
                    new ErrorInfo(f.code(), f.message()), f.current());
            case Skipped s -> new OperationResult(op.clientId(), op.operation(), ResultStatus.SKIPPED,
                    op.documentId(), null,
                    new ErrorInfo(ErrorCode.ATOMIC_BATCH_FAILED,
                            "not applied: operation " + s.failedClientId() + " of this atomic batch failed"),
                    null);
        };
    }
}
