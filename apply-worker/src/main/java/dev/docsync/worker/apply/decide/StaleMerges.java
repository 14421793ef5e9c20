package dev.docsync.worker.apply.decide;

import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.OnConflict;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationType;
import dev.docsync.projection.apply.Body;
import dev.docsync.projection.apply.DocumentHead;
import dev.docsync.projection.apply.DocumentKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The stale operations of one {@code on_conflict: merge} batch, merged three-way (DESIGN §3.1): base = the state
 * at {@code base_version}, theirs = the current state, mine = base + the operation's fields.
 *
 * <p>It decides on heads, like the rest of the apply: titles are in the head, and a field is compared by its
 * digest, so the Yjs state is never read, and content only when both sides changed it (then base's and theirs'
 * content are read, for {@link LineMerge}). Versions and bodies written earlier in the batch are read from memory,
 * all others through {@link DocumentVersions}. All merges of the batch share one budget of diff work and one of
 * content read: beyond {@link #MAX_BATCH_READ_BYTES} (base plus theirs, in UTF-8 bytes) a merge answers
 * {@code merge_conflict} without reading. Both budgets count what the log holds (sizes, lines), never where a
 * body came from, so a merge decides the same live and in replay, however the log is cut into transactions.
 */
final class StaleMerges {

    /**
     * What the line-wise merges of one batch may read of base and current content together. The worker reserves
     * twice this in every apply transaction that holds a merging batch (the bodies read, and the merged bodies
     * they make): {@link BatchApplier#mergeReserveBytes}. Part of the algorithm: a change alters outcomes.
     */
    static final long MAX_BATCH_READ_BYTES = 4L * 1024 * 1024;

    private record VersionKey(DocumentKey document, long version) {
    }

    private final DocumentVersions versions;
    private final Map<VersionKey, DocumentHead> writtenByBatch = new HashMap<>();
    private final Map<List<String>, String> bodiesByBatch = new HashMap<>();
    private final LineMerge.Budget budget = new LineMerge.Budget();
    private long readBytesLeft = MAX_BATCH_READ_BYTES;

    StaleMerges(DocumentVersions versions) {
        this.versions = versions;
    }

    /** A version this batch wrote, with the bodies it brought, readable by the batch's later merges. */
    void written(DocumentHead state, List<Body> bodies) {
        writtenByBatch.put(new VersionKey(new DocumentKey(state.workspaceId(), state.documentId()), state.version()),
                state);
        bodies.forEach(b -> bodiesByBatch.put(List.of(state.workspaceId(), b.digest()), b.text()));
    }

    /**
     * The merge's outcome for {@code op}, or empty when {@code op} is not a stale update or delete of a merging
     * batch, or its base is a version the document never had (then it is a plain conflict).
     */
    Optional<OpOutcome> merge(OperationEvent op, DocumentKey key, DocumentHead current) {
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
        Optional<DocumentHead> found = at(key, baseVersion);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        DocumentHead base = found.get();
        DocumentData data = op.data() == null ? DocumentData.EMPTY : op.data();
        Optional<Body> mineContent = Optional.ofNullable(data.content()).map(Body::of);
        Optional<Body> mineYjs = Optional.ofNullable(data.yjsStateB64()).map(Body::of);
        String mineTitle = data.title() == null ? base.title() : data.title();
        String mineContentDigest = mineContent.map(Body::digest).orElse(base.contentDigest());
        String mineYjsDigest = mineYjs.map(Body::digest).orElse(base.yjsDigest());
        boolean contentOnBothSides = !mineContentDigest.equals(base.contentDigest())
                && !current.contentDigest().equals(base.contentDigest())
                && !mineContentDigest.equals(current.contentDigest());
        ThreeWayMerge.Outcome outcome;
        if (contentOnBothSides) {
            Optional<Map<String, String>> read = read(key.workspaceId(), base.contentDigest(),
                    current.contentDigest());
            if (read.isEmpty()) {
                return Optional.of(collision(baseVersion, "content", "content changed on both sides, and base and "
                        + "current content are more than the " + MAX_BATCH_READ_BYTES + " bytes left to this "
                        + "batch's merges to read (merge it in the client)", current));
            }
            outcome = ThreeWayMerge.merge(
                    new ThreeWayMerge.Fields(base.title(), read.get().get(base.contentDigest()), base.yjsDigest()),
                    new ThreeWayMerge.Fields(mineTitle, data.content(), mineYjsDigest),
                    new ThreeWayMerge.Fields(current.title(), read.get().get(current.contentDigest()),
                            current.yjsDigest()),
                    budget);
        } else {
            // No field needs its text: content and Yjs state are compared by digest, and the merge keeps digests.
            outcome = ThreeWayMerge.merge(
                    new ThreeWayMerge.Fields(base.title(), base.contentDigest(), base.yjsDigest()),
                    new ThreeWayMerge.Fields(mineTitle, mineContentDigest, mineYjsDigest),
                    new ThreeWayMerge.Fields(current.title(), current.contentDigest(), current.yjsDigest()),
                    budget);
        }
        return Optional.of(switch (outcome) {
            case ThreeWayMerge.Merged m -> merged(op, current, baseVersion, m.fields(), contentOnBothSides,
                    mineContent, mineYjs);
            case ThreeWayMerge.Collided c -> new OpOutcome.MergeConflict(baseVersion, c.fields(), c.hunks(),
                    c.hunksTruncated(), c.reason(), current);
        });
    }

    /**
     * The merged version: its content is the line-merged text (a new body) or, decided on digests, either side's
     * (mine's body comes with the operation; theirs is stored); its Yjs state likewise by digest.
     */
    private static OpOutcome.Merged merged(OperationEvent op, DocumentHead current, long baseVersion,
            ThreeWayMerge.Fields fields, boolean lineMerged, Optional<Body> mineContent, Optional<Body> mineYjs) {
        List<Body> bodies = new ArrayList<>(2);
        String contentDigest;
        if (lineMerged) {
            Body content = Body.of(fields.content());
            bodies.add(content);
            contentDigest = content.digest();
        } else {
            contentDigest = fields.content();
            mineContent.filter(b -> b.digest().equals(contentDigest)).ifPresent(bodies::add);
        }
        String yjsDigest = fields.yjsStateB64();
        mineYjs.filter(b -> b.digest().equals(yjsDigest)).ifPresent(bodies::add);
        return new OpOutcome.Merged(new DocumentHead(current.documentId(), current.workspaceId(),
                current.version() + 1, fields.title(), contentDigest, yjsDigest, false, current.createdAt(),
                op.stampedAt(), op.actor()), bodies, baseVersion);
    }

    private Optional<DocumentHead> at(DocumentKey key, long version) {
        DocumentHead known = writtenByBatch.get(new VersionKey(key, version));
        return known != null ? Optional.of(known) : versions.at(key, version);
    }

    /**
     * The texts of the bodies {@code digests}, if their sizes fit in what is left of the batch's read budget
     * (then spent); empty, reading nothing, if they do not (or a body is missing).
     */
    private Optional<Map<String, String>> read(String workspaceId, String... digests) {
        Set<String> wanted = new LinkedHashSet<>(List.of(digests));
        Map<String, String> texts = new HashMap<>();
        Set<String> stored = new LinkedHashSet<>();
        for (String digest : wanted) {
            String known = bodiesByBatch.get(List.of(workspaceId, digest));
            if (known != null) {
                texts.put(digest, known);
            } else {
                stored.add(digest);
            }
        }
        Map<String, Long> sizes = stored.isEmpty() ? Map.of() : versions.sizes(workspaceId, stored);
        long bytes = 0;
        for (String digest : wanted) {
            Long size = texts.containsKey(digest) ? Long.valueOf(DocumentVersions.utf8Bytes(texts.get(digest)))
                    : sizes.get(digest);
            if (size == null) {
                return Optional.empty();
            }
            bytes += size;
        }
        if (bytes > readBytesLeft) {
            return Optional.empty();
        }
        if (!stored.isEmpty()) {
            Map<String, String> loaded = versions.bodies(workspaceId, stored);
            if (!loaded.keySet().containsAll(stored)) {
                return Optional.empty();
            }
            texts.putAll(loaded);
        }
        readBytesLeft -= bytes;
        return Optional.of(texts);
    }

    private static OpOutcome collision(long baseVersion, String field, String reason, DocumentHead current) {
        return new OpOutcome.MergeConflict(baseVersion, List.of(field), List.of(), false, reason, current);
    }
}
