package dev.docsync.worker.apply.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.contracts.MergeInfo;
import dev.docsync.worker.apply.decide.ThreeWayMerge.Collided;
import dev.docsync.worker.apply.decide.ThreeWayMerge.Fields;
import dev.docsync.worker.apply.decide.ThreeWayMerge.Merged;
import dev.docsync.worker.apply.decide.ThreeWayMerge.Outcome;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ThreeWayMergeTest {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private static final String BASE = "# Plan\n\nAlice writes the intro.\n\nBob writes the middle.\n\nCarol writes the end.\n";

    private static Fields doc(String title, String content, String yjs) {
        return new Fields(title, content, yjs);
    }

    private static Fields merged(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Merged.class);
        return ((Merged) outcome).fields();
    }

    private static Collided collided(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Collided.class);
        return (Collided) outcome;
    }

    @Test
    void aFieldChangedOnOneSideOnlyTakesThatSide() {
        Fields base = doc("Plan", BASE, "AQID");

        Fields result = merged(ThreeWayMerge.merge(base, doc("Mine", BASE, "AQID"), doc("Plan", BASE + "x\n", "BBBB")));

        assertThat(result).isEqualTo(doc("Mine", BASE + "x\n", "BBBB"));
    }

    @Test
    void equalChangesOnBothSidesAgree() {
        Fields base = doc("Plan", BASE, null);
        Fields both = doc("Same", BASE.replace("Bob", "Dave"), "AQID");

        assertThat(merged(ThreeWayMerge.merge(base, both, both))).isEqualTo(both);
    }

    @Test
    void aTitleChangedDifferentlyOnBothSidesCollides() {
        Fields base = doc("Plan", BASE, null);

        Collided collided = collided(ThreeWayMerge.merge(base, doc("Mine", BASE, null), doc("Theirs", BASE, null)));

        assertThat(collided.fields()).containsExactly("title");
        assertThat(collided.hunks()).isEmpty();
    }

    @Test
    void contentEditsOfDifferentParagraphsMergeLineWise() {
        Fields base = doc("Plan", BASE, null);
        Fields mine = doc("Plan", BASE.replace("Alice writes the intro.", "Alice wrote the intro."), null);
        Fields theirs = doc("Plan", BASE.replace("Carol writes the end.", "Carol wrote the end.\nAnd a PS."), null);

        Fields result = merged(ThreeWayMerge.merge(base, mine, theirs));

        assertThat(result.content()).isEqualTo(
                "# Plan\n\nAlice wrote the intro.\n\nBob writes the middle.\n\nCarol wrote the end.\nAnd a PS.\n");
    }

    @Test
    void contentEditsOfTheSameLinesCollideAndNameTheirHunks() {
        Fields base = doc("Plan", BASE, null);
        Fields mine = doc("Plan", BASE.replace("Bob writes the middle.", "Bob: middle, mine"), null);
        Fields theirs = doc("Plan", BASE.replace("Bob writes the middle.", "Bob: middle, theirs\nwith two lines")
                .replace("Alice writes", "Alice, theirs, writes"), null);

        Collided collided = collided(ThreeWayMerge.merge(base, mine, theirs));

        assertThat(collided.fields()).containsExactly("content");
        assertThat(collided.hunks()).containsExactly(new MergeInfo.Hunk(5, 5, 5, List.of("Bob writes the middle."),
                List.of("Bob: middle, mine"), List.of("Bob: middle, theirs", "with two lines")));
        assertThat(collided.hunksTruncated()).isFalse();
    }

    @Test
    void editsOfAdjacentLinesCollideLikeGitDoes() {
        String base = "a\nb\nc\nd\n";

        Collided collided = collided(ThreeWayMerge.merge(doc("t", base, null), doc("t", "a\nB\nc\nd\n", null),
                doc("t", "a\nb\nC\nd\n", null)));

        assertThat(collided.hunks()).containsExactly(new MergeInfo.Hunk(2, 2, 2, List.of("b", "c"),
                List.of("B", "c"), List.of("b", "C")));
    }

    @Test
    void insertionsAtTheSamePlaceAgreeWhenEqualAndCollideWhenNot() {
        String base = "a\nb\n";

        assertThat(merged(ThreeWayMerge.merge(doc("t", base, null), doc("t", "a\nx\nb\n", null),
                doc("t", "a\nx\nb\n", null))).content()).isEqualTo("a\nx\nb\n");
        Collided collided = collided(ThreeWayMerge.merge(doc("t", base, null), doc("t", "a\nx\nb\n", null),
                doc("t", "a\ny\nb\n", null)));
        assertThat(collided.hunks()).containsExactly(new MergeInfo.Hunk(2, 2, 2, List.of(), List.of("x"),
                List.of("y")));
    }

    @Test
    void lineEndingsAndAMissingFinalNewlineSurviveTheMerge() {
        String base = "one\r\ntwo\r\n\r\nthree\r\nfour";

        Fields result = merged(ThreeWayMerge.merge(doc("t", base, null),
                doc("t", "ONE\r\ntwo\r\n\r\nthree\r\nfour", null), doc("t", "one\r\ntwo\r\n\r\nthree\r\nFOUR", null)));

        assertThat(result.content()).isEqualTo("ONE\r\ntwo\r\n\r\nthree\r\nFOUR");
    }

    @Test
    void yjsStatesChangedOnBothSidesCollideForTheClientToMerge() {
        Fields base = doc("Plan", BASE, "AQID");

        Collided collided = collided(ThreeWayMerge.merge(base, doc("Mine", BASE, "BBBB"), doc("Plan", BASE, "CCCC")));

        assertThat(collided.fields()).containsExactly("yjs_state_b64");
    }

    @Test
    void everyCollidingFieldIsNamedInOrder() {
        Fields base = doc("Plan", "x\n", "AQID");

        Collided collided = collided(ThreeWayMerge.merge(base, doc("A", "y\n", "BBBB"), doc("B", "z\n", "CCCC")));

        assertThat(collided.fields()).containsExactly("title", "content", "yjs_state_b64");
    }

    @Test
    void hunksBeyondTheResultBudgetAreLeftOutAndSaySo() {
        StringBuilder base = new StringBuilder();
        StringBuilder mine = new StringBuilder();
        StringBuilder theirs = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            String line = "paragraph " + i + " " + "x".repeat(80);
            base.append(line).append("\n\n");
            mine.append(line).append(" mine\n\n");
            theirs.append(line).append(" theirs\n\n");
        }

        Collided collided = collided(ThreeWayMerge.merge(doc("t", base.toString(), null),
                doc("t", mine.toString(), null), doc("t", theirs.toString(), null)));

        assertThat(collided.hunksTruncated()).isTrue();
        assertThat(collided.hunks()).isNotEmpty().hasSizeLessThan(400);
        assertThat(collided.hunks().stream().flatMap(h -> java.util.stream.Stream.of(h.base(), h.mine(), h.theirs()))
                .flatMap(List::stream).mapToInt(l -> l.length() + 1).sum()).isLessThanOrEqualTo(ThreeWayMerge.MAX_HUNK_CHARS);
    }

    @Test
    void theSameInputsAlwaysGiveTheSameOutcome() {
        Random random = new Random(7);
        StringBuilder base = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            base.append("line ").append(random.nextInt(50)).append('\n');
        }
        String mine = base.toString().replace("line 7\n", "line seven\n");
        String theirs = base.toString().replace("line 9\n", "");

        Outcome first = ThreeWayMerge.merge(doc("t", base.toString(), null), doc("t", mine, null), doc("t", theirs, null));
        Outcome second = ThreeWayMerge.merge(doc("t", base.toString(), null), doc("t", mine, null), doc("t", theirs, null));

        assertThat(first).isEqualTo(second);
    }

    /** DESIGN §3.1 / issue 23: 10 MiB of one-character lines on both sides answers a conflict in bounded time. */
    @Test
    void tenMebibytesOfOneCharacterLinesOnBothSidesCollideWithinBoundedTime() {
        int lines = 5 * 1024 * 1024; // "a\n" is two bytes: 10 MiB
        String base = "a\n".repeat(lines);
        String mine = "b\n".repeat(lines);
        String theirs = "c\n".repeat(lines);

        long started = System.nanoTime();
        long cpuStarted = CPU.getCurrentThreadCpuTime();
        Outcome outcome = ThreeWayMerge.merge(doc("t", base, null), doc("t", mine, null), doc("t", theirs, null));
        long cpuMillis = (CPU.getCurrentThreadCpuTime() - cpuStarted) / 1_000_000;
        long millis = (System.nanoTime() - started) / 1_000_000;

        System.out.println("pathological merge, 10 MiB of one-character lines per side: " + millis + " ms ("
                + cpuMillis + " ms CPU)");
        assertThat(collided(outcome).fields()).containsExactly("content");
        assertThat(collided(outcome).reason()).contains("lines");
        assertThat(cpuMillis).isLessThan(2_000);
    }

    /** Within the line cap, inputs that differ everywhere stop at the work cap instead of running quadratic. */
    @Test
    void inputsThatDifferEverywhereStopAtTheWorkCap() {
        int lines = ThreeWayMerge.MAX_LINES - 1;
        StringBuilder base = new StringBuilder();
        StringBuilder mine = new StringBuilder();
        StringBuilder theirs = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            base.append(i % 2 == 0 ? "a\n" : "b\n");
            mine.append(i % 3 == 0 ? "a\n" : "c\n");
            theirs.append(i % 5 == 0 ? "b\n" : "d\n");
        }

        long started = System.nanoTime();
        long cpuStarted = CPU.getCurrentThreadCpuTime();
        Outcome outcome = ThreeWayMerge.merge(doc("t", base.toString(), null), doc("t", mine.toString(), null),
                doc("t", theirs.toString(), null));
        long cpuMillis = (CPU.getCurrentThreadCpuTime() - cpuStarted) / 1_000_000;
        long millis = (System.nanoTime() - started) / 1_000_000;

        System.out.println("pathological merge, " + lines + " lines differing everywhere: " + millis + " ms ("
                + cpuMillis + " ms CPU)");
        assertThat(collided(outcome).fields()).containsExactly("content");
        assertThat(collided(outcome).reason()).contains("differences");
        // CPU time, not wall time: the bound is on the merge's work, not on how busy the machine is.
        assertThat(cpuMillis).isLessThan(2_000);
    }

    @Test
    void theMergesOfOneBatchShareOneBudgetOfDiffWork() {
        StringBuilder base = new StringBuilder();
        StringBuilder mine = new StringBuilder();
        StringBuilder theirs = new StringBuilder();
        for (int i = 0; i < 1_000; i++) {
            base.append("a\n");
            mine.append(i % 2 == 0 ? "a\n" : "b\n");
            theirs.append(i % 3 == 0 ? "a\n" : "c\n");
        }
        LineMerge.Budget budget = new LineMerge.Budget();
        int merges = 0;
        while (!(LineMerge.merge(base.toString(), mine.toString(), theirs.toString(), budget)
                instanceof LineMerge.TooLarge)) {
            merges++;
        }

        assertThat(merges).isPositive().isLessThan(100);
        assertThat(budget.remaining()).isLessThanOrEqualTo(LineMerge.MAX_DIFF_WORK);
    }
}
