package dev.docsync.worker.apply;

import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.DocumentView;
import dev.docsync.contracts.OnConflict;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationType;
import dev.docsync.projection.apply.DocumentKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stale operations of one {@code on_conflict: merge} batch, merged three-way (DESIGN §3.1): base = the state
 * at {@code base_version}, theirs = the current state, mine = base + the operation's fields. Reads versions
 * written earlier in the batch from memory and all others through {@link DocumentVersions}, and only for the
 * operations it merges. All merges of the batch share one budget of diff work.
 */
final class StaleMerges {

    private record VersionKey(DocumentKey document, long version) {
    }

    private final DocumentVersions versions;
    private final Map<VersionKey, DocumentView> writtenByBatch = new HashMap<>();
    private final LineMerge.Budget budget = new LineMerge.Budget();

    StaleMerges(DocumentVersions versions) {
        this.versions = versions;
    }

    /** A version this batch wrote, readable by its later merges. */
    void written(DocumentView state) {
        writtenByBatch.put(new VersionKey(new DocumentKey(state.workspaceId(), state.documentId()), state.version()),
                state);
    }

    /**
     * The merge's outcome for {@code op}, or empty when {@code op} is not a stale update or delete of a merging
     * batch, or its base is a version the document never had (then it is a plain conflict).
     */
    Optional<OpOutcome> merge(OperationEvent op, DocumentKey key, DocumentView current) {
        if (op.onConflict() != OnConflict.MERGE || op.operation() == OperationType.CREATE || current == null
                || op.baseVersion() == null || op.baseVersion() >= current.version()) {
            return Optional.empty();
        }
        long baseVersion = op.baseVersion();
        if (op.operation() == OperationType.DELETE) {
            return current.deleted() ? Optional.empty() : Optional.of(collision(baseVersion, "deleted",
                    "the document changed since the base; a delete does not merge with edits", current));
        }
        if (current.deleted()) {
            return Optional.of(collision(baseVersion, "deleted",
                    "the document was deleted; an edit does not merge with a delete", current));
        }
        Optional<DocumentView> base = at(key, baseVersion);
        if (base.isEmpty()) {
            return Optional.empty();
        }
        DocumentView theirs = at(key, current.version()).orElse(current);
        DocumentData data = op.data() == null ? DocumentData.EMPTY : op.data();
        ThreeWayMerge.Fields baseFields = fields(base.get());
        ThreeWayMerge.Fields mine = new ThreeWayMerge.Fields(
                data.title() == null ? baseFields.title() : data.title(),
                data.content() == null ? baseFields.content() : data.content(),
                data.yjsStateB64() == null ? baseFields.yjsStateB64() : data.yjsStateB64());
        return Optional.of(switch (ThreeWayMerge.merge(baseFields, mine, fields(theirs), budget)) {
            case ThreeWayMerge.Merged m -> new OpOutcome.Merged(new DocumentView(current.documentId(),
                    current.workspaceId(), current.version() + 1, m.fields().title(), m.fields().content(),
                    m.fields().yjsStateB64(), false, current.createdAt(), op.stampedAt(), op.actor()), baseVersion);
            case ThreeWayMerge.Collided c -> new OpOutcome.MergeConflict(baseVersion, c.fields(), c.hunks(),
                    c.hunksTruncated(), c.reason(), current);
        });
    }

    private Optional<DocumentView> at(DocumentKey key, long version) {
        DocumentView known = writtenByBatch.get(new VersionKey(key, version));
        return known != null ? Optional.of(known) : versions.at(key, version);
    }

    private static ThreeWayMerge.Fields fields(DocumentView state) {
        return new ThreeWayMerge.Fields(state.title(), state.content(), state.yjsStateB64());
    }

    private static OpOutcome collision(long baseVersion, String field, String reason, DocumentView current) {
        return new OpOutcome.MergeConflict(baseVersion, List.of(field), List.of(), false, reason, current);
    }
}
