package dev.docsync.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * How a stale update of an {@code on_conflict: merge} batch was merged (DESIGN §3.1): the merge algorithm and its
 * version (so that a later change of algorithm is visible in the results it made) and the base it merged from.
 * A {@code merge_conflict} also names the fields that collided and, for {@code content}, the colliding hunks;
 * {@code hunksTruncated} says that hunks were left out to keep the result small.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record MergeInfo(String algorithm, long fromBaseVersion, List<String> fields, List<Hunk> hunks,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) Boolean hunksTruncated) {

    public MergeInfo {
        fields = fields == null ? List.of() : List.copyOf(fields);
        hunks = hunks == null ? List.of() : List.copyOf(hunks);
        hunksTruncated = Boolean.TRUE.equals(hunksTruncated);
    }

    /** A merge that succeeded. */
    public static MergeInfo merged(String algorithm, long fromBaseVersion) {
        return new MergeInfo(algorithm, fromBaseVersion, List.of(), List.of(), false);
    }

    /**
     * One region of {@code content} that both sides changed differently: the base's lines and each side's lines
     * for it (without their {@code \n}), and where each starts (1-based line numbers).
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Hunk(int baseLine, int mineLine, int theirsLine, List<String> base, List<String> mine,
            List<String> theirs) {
        public Hunk {
            base = List.copyOf(base);
            mine = List.copyOf(mine);
            theirs = List.copyOf(theirs);
        }
    }
}
