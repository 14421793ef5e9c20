package dev.docsync.worker.apply.decide;

import dev.docsync.contracts.MergeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The three-way merge of a stale update (DESIGN §3.1), field by field: a field changed on one side takes that
 * side, equal changes agree; {@code title} and {@code yjs_state_b64} changed differently collide; {@code content}
 * changed on both sides is merged line-wise by {@link LineMerge}. A pure function of its three inputs: replaying
 * the log reaches the same documents and results. {@link #ALGORITHM} names it in every result and history entry it
 * makes; change the name when the outcome for some input changes.
 */
final class ThreeWayMerge {

    static final String ALGORITHM = "diff3-lines/1";

    /** Beyond this many lines in any of the three contents the merge does not diff and answers a collision. */
    static final int MAX_LINES = LineMerge.MAX_LINES;

    /** The colliding hunks a result carries, in characters (each line counts one more, for its newline). */
    static final int MAX_HUNK_CHARS = LineMerge.MAX_HUNK_CHARS;

    private ThreeWayMerge() {
    }

    /**
     * The merged fields of a document version; {@code yjsStateB64} may be null (the document has none). The rules
     * compare {@code yjsStateB64} only for equality, and {@code content} too unless all three differ: a caller may
     * pass stand-ins that are equal exactly when the texts are (their digests, as {@link StaleMerges} does), and
     * the texts only where all three contents differ.
     */
    record Fields(String title, String content, String yjsStateB64) {
        Fields {
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(content, "content");
        }
    }

    sealed interface Outcome permits Merged, Collided {
    }

    record Merged(Fields fields) implements Outcome {
    }

    /**
     * The fields that collided (in document order: title, content, yjs_state_b64), the colliding content hunks
     * (at most {@link #MAX_HUNK_CHARS}; {@code hunksTruncated} when some were left out), and why, in words.
     */
    record Collided(List<String> fields, List<MergeInfo.Hunk> hunks, boolean hunksTruncated, String reason)
            implements Outcome {
        Collided {
            fields = List.copyOf(fields);
            hunks = List.copyOf(hunks);
        }
    }

    static Outcome merge(Fields base, Fields mine, Fields theirs) {
        return merge(base, mine, theirs, new LineMerge.Budget());
    }

    /** @param budget the diff work left to the merges of this batch */
    static Outcome merge(Fields base, Fields mine, Fields theirs, LineMerge.Budget budget) {
        List<String> collisions = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        Optional<String> title = field(base.title(), mine.title(), theirs.title());
        if (title.isEmpty()) {
            collisions.add("title");
            reasons.add("title changed on both sides");
        }
        LineMerge.Outcome lines = field(base.content(), mine.content(), theirs.content())
                .<LineMerge.Outcome>map(LineMerge.Clean::new)
                .orElseGet(() -> LineMerge.merge(base.content(), mine.content(), theirs.content(), budget));
        switch (lines) {
            case LineMerge.Clean clean -> { }
            case LineMerge.Overlapping o -> {
                collisions.add("content");
                reasons.add(o.count() + " content hunk" + (o.count() == 1 ? "" : "s") + " changed on both sides");
            }
            case LineMerge.TooLarge t -> {
                collisions.add("content");
                reasons.add(t.reason());
            }
        }
        boolean yjsAgrees = Objects.equals(mine.yjsStateB64(), base.yjsStateB64())
                || Objects.equals(theirs.yjsStateB64(), base.yjsStateB64())
                || Objects.equals(mine.yjsStateB64(), theirs.yjsStateB64());
        if (!yjsAgrees) {
            collisions.add("yjs_state_b64");
            reasons.add("yjs_state_b64 changed on both sides (merge the Yjs states in the client)");
        }
        if (!collisions.isEmpty()) {
            return lines instanceof LineMerge.Overlapping o
                    ? new Collided(collisions, o.hunks(), o.truncated(), String.join("; ", reasons))
                    : new Collided(collisions, List.of(), false, String.join("; ", reasons));
        }
        String yjs = Objects.equals(mine.yjsStateB64(), base.yjsStateB64()) ? theirs.yjsStateB64() : mine.yjsStateB64();
        return new Merged(new Fields(title.orElseThrow(), ((LineMerge.Clean) lines).text(), yjs));
    }

    /** The merged value of a field, or empty when both sides changed it differently. */
    private static Optional<String> field(String base, String mine, String theirs) {
        if (mine.equals(base) || mine.equals(theirs)) {
            return Optional.of(theirs);
        }
        if (theirs.equals(base)) {
            return Optional.of(mine);
        }
        return Optional.empty();
    }
}
