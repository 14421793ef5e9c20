package dev.docsync.worker.apply.decide;

import com.github.difflib.algorithm.Change;
import com.github.difflib.algorithm.DiffAlgorithmListener;
import com.github.difflib.algorithm.myers.MyersDiff;
import dev.docsync.contracts.MergeInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * diff3 over lines: the two diffs base→mine and base→theirs (Myers, from java-diff-utils) are laid over the base;
 * changes whose base ranges overlap or touch form one region. A region changed by one side takes that side's
 * lines; changed by both, it takes them when they are equal and collides when they are not (touching edits collide,
 * as in git: an edit next to another one is not known to be independent of it). A line is what lies between
 * {@code \n}s, so {@code \r}, a missing final newline and every other byte survive the merge.
 *
 * <p>The work is bounded, whatever the input: more than {@link #MAX_LINES} lines in any version, or more than
 * {@link #MAX_DIFF_WORK} steps of diffing (Myers' loop iterations and line comparisons, counted as the library
 * performs them; all merges of a batch together {@link #MAX_BATCH_DIFF_WORK}), and the merge gives up with
 * {@link TooLarge}; a diff's memory grows with its steps. Both bounds
 * are counts, not clocks, so the outcome is the same on every machine and in replay.
 */
final class LineMerge {

    static final int MAX_LINES = 100_000;

    /** Measured: ~0.1–0.6 s of CPU and < 100 MiB of transient heap at the cap (100,000 lines differing everywhere). */
    static final long MAX_DIFF_WORK = 8_000_000L;

    /** What all merges of one batch may spend together, so that a batch of 100 merges is bounded too. */
    static final long MAX_BATCH_DIFF_WORK = 2 * MAX_DIFF_WORK;

    static final int MAX_HUNK_CHARS = 16 * 1024;

    private LineMerge() {
    }

    sealed interface Outcome permits Clean, Overlapping, TooLarge {
    }

    record Clean(String text) implements Outcome {
    }

    /** {@code count} regions collided; {@code hunks} holds the first of them, within {@link #MAX_HUNK_CHARS}. */
    record Overlapping(int count, List<MergeInfo.Hunk> hunks, boolean truncated) implements Outcome {
    }

    record TooLarge(String reason) implements Outcome {
    }

    /** The diff work left to the merges of one batch; a merge spends from it what it used. */
    static final class Budget {
        private long remaining = MAX_BATCH_DIFF_WORK;

        long remaining() {
            return remaining;
        }
    }

    static Outcome merge(String base, String mine, String theirs) {
        return merge(base, mine, theirs, new Budget());
    }

    static Outcome merge(String base, String mine, String theirs, Budget budget) {
        int most = Math.max(lineCount(base), Math.max(lineCount(mine), lineCount(theirs)));
        if (most > MAX_LINES) {
            return new TooLarge("content has " + most + " lines, more than the " + MAX_LINES
                    + " a line-wise merge takes");
        }
        Map<String, Integer> ids = new HashMap<>();
        Lines b = Lines.of(base, ids);
        Lines m = Lines.of(mine, ids);
        Lines t = Lines.of(theirs, ids);
        Work work = new Work(Math.min(MAX_DIFF_WORK, budget.remaining));
        List<Edit> edits = new ArrayList<>();
        try {
            edits.addAll(diff(b, m, Side.MINE, work));
            edits.addAll(diff(b, t, Side.THEIRS, work));
        } catch (WorkExceeded e) {
            return new TooLarge("too many differences to merge line-wise (more than " + work.limit
                    + " steps of diff work" + (work.limit < MAX_DIFF_WORK ? " left to this batch's merges)" : ")"));
        } finally {
            budget.remaining -= work.spent;
        }
        edits.sort(Comparator.comparingInt(Edit::baseStart).thenComparing(Edit::side));
        return combine(b, m, t, edits);
    }

    private static Outcome combine(Lines b, Lines m, Lines t, List<Edit> edits) {
        List<String> out = new ArrayList<>();
        List<MergeInfo.Hunk> hunks = new ArrayList<>();
        int collisions = 0;
        int hunkChars = 0;
        boolean truncated = false;
        int pos = 0;
        for (int i = 0; i < edits.size(); ) {
            int start = edits.get(i).baseStart();
            int end = edits.get(i).baseEnd();
            int j = i + 1;
            while (j < edits.size() && edits.get(j).baseStart() <= end) {
                end = Math.max(end, edits.get(j).baseEnd());
                j++;
            }
            List<Edit> region = edits.subList(i, j);
            b.copy(new Span(pos, start), out);
            Optional<Span> mineSpan = span(region, Side.MINE, start, end);
            Optional<Span> theirsSpan = span(region, Side.THEIRS, start, end);
            if (mineSpan.isEmpty()) {
                t.copy(theirsSpan.orElseThrow(), out);
            } else if (theirsSpan.isEmpty() || m.sameLines(mineSpan.get(), t, theirsSpan.get())) {
                m.copy(mineSpan.get(), out);
            } else {
                collisions++;
                Span mine = mineSpan.get();
                Span theirs = theirsSpan.get();
                MergeInfo.Hunk hunk = new MergeInfo.Hunk(start + 1, mine.start() + 1, theirs.start() + 1,
                        b.lines(start, end), m.lines(mine.start(), mine.end()), t.lines(theirs.start(), theirs.end()));
                int chars = chars(hunk);
                if (!truncated && hunkChars + chars <= MAX_HUNK_CHARS) {
                    hunks.add(hunk);
                    hunkChars += chars;
                } else {
                    truncated = true;
                }
            }
            pos = end;
            i = j;
        }
        if (collisions > 0) {
            return new Overlapping(collisions, hunks, truncated);
        }
        b.copy(new Span(pos, b.size()), out);
        return new Clean(String.join("\n", out));
    }

    /** The lines of {@code side} that stand for base lines [start, end); empty if that side left them alone. */
    private static Optional<Span> span(List<Edit> region, Side side, int start, int end) {
        Edit first = null;
        Edit last = null;
        for (Edit edit : region) {
            if (edit.side() == side) {
                first = first == null ? edit : first;
                last = edit;
            }
        }
        if (first == null) {
            return Optional.empty();
        }
        return Optional.of(new Span(first.sideStart() - (first.baseStart() - start),
                last.sideEnd() + (end - last.baseEnd())));
    }

    private static int chars(MergeInfo.Hunk hunk) {
        int chars = 0;
        for (List<String> lines : List.of(hunk.base(), hunk.mine(), hunk.theirs())) {
            for (String line : lines) {
                chars += line.length() + 1;
            }
        }
        return chars;
    }

    /** The edits turning base into {@code other}: common ends trimmed, the middle diffed by Myers. */
    private static List<Edit> diff(Lines base, Lines other, Side side, Work work) {
        int baseEnd = base.size();
        int otherEnd = other.size();
        int prefix = 0;
        while (prefix < baseEnd && prefix < otherEnd && base.id(prefix) == other.id(prefix)) {
            prefix++;
        }
        while (baseEnd > prefix && otherEnd > prefix && base.id(baseEnd - 1) == other.id(otherEnd - 1)) {
            baseEnd--;
            otherEnd--;
        }
        work.spend(baseEnd + otherEnd);
        if (prefix == baseEnd && prefix == otherEnd) {
            return List.of();
        }
        if (prefix == baseEnd || prefix == otherEnd) {
            return List.of(new Edit(side, prefix, baseEnd, prefix, otherEnd));
        }
        // Ids are interned: equal lines share one Integer, so identity is equality.
        MyersDiff<Integer> myers = new MyersDiff<>((x, y) -> {
            work.spend(1);
            return x == y;
        });
        List<Change> changes = myers.computeDiff(base.view(prefix, baseEnd), other.view(prefix, otherEnd), work);
        List<Edit> edits = new ArrayList<>(changes.size());
        for (Change c : changes) {
            edits.add(new Edit(side, prefix + c.startOriginal, prefix + c.endOriginal, prefix + c.startRevised,
                    prefix + c.endRevised));
        }
        return edits;
    }

    private static int lineCount(String text) {
        int lines = 1;
        for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
            lines++;
        }
        return lines;
    }

    private enum Side {
        MINE, THEIRS
    }

    /** Lines [start, end) of one version. */
    private record Span(int start, int end) {
    }

    /** Base lines [baseStart, baseEnd) became the side's lines [sideStart, sideEnd). */
    private record Edit(Side side, int baseStart, int baseEnd, int sideStart, int sideEnd) {
    }

    /** A text's lines (without their {@code \n}) and each line's interned id. */
    private record Lines(String[] text, Integer[] ids) {

        static Lines of(String text, Map<String, Integer> interned) {
            List<String> lines = new ArrayList<>();
            int from = 0;
            for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', from)) {
                lines.add(text.substring(from, i));
                from = i + 1;
            }
            lines.add(text.substring(from));
            String[] array = lines.toArray(String[]::new);
            Integer[] ids = new Integer[array.length];
            for (int i = 0; i < array.length; i++) {
                ids[i] = interned.computeIfAbsent(array[i], k -> interned.size());
            }
            return new Lines(array, ids);
        }

        int size() {
            return text.length;
        }

        Integer id(int line) {
            return ids[line];
        }

        List<Integer> view(int from, int to) {
            return Arrays.asList(ids).subList(from, to);
        }

        List<String> lines(int from, int to) {
            return Arrays.asList(text).subList(from, to);
        }

        void copy(Span span, List<String> out) {
            out.addAll(lines(span.start(), span.end()));
        }

        boolean sameLines(Span span, Lines other, Span otherSpan) {
            return Arrays.equals(ids, span.start(), span.end(), other.ids, otherSpan.start(), otherSpan.end());
        }
    }

    /** Counts diff work and stops the diff (by throwing) beyond its limit. */
    private static final class Work implements DiffAlgorithmListener {
        private final long limit;
        private long spent;

        Work(long limit) {
            this.limit = limit;
        }

        void spend(long steps) {
            spent += steps;
            if (spent > limit) {
                throw new WorkExceeded();
            }
        }

        @Override
        public void diffStart() {
        }

        /** Step {@code d} of Myers' loop visits d + 1 diagonals. */
        @Override
        public void diffStep(int d, int max) {
            spend(d + 1L);
        }

        @Override
        public void diffEnd() {
        }
    }

    private static final class WorkExceeded extends RuntimeException {
        WorkExceeded() {
            super("diff work exceeded", null, false, false);
        }
    }
}
