package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 19's live defect under the heap users run the jar with ({@code -Xmx512m}, as {@code ./run-local}): 120
 * stale one-line edits of a ~9.5 MB document used to put 120 copies of it into one apply transaction, which
 * died with {@code OutOfMemoryError} and stopped every consumer thread. Now they all complete as conflicts and a
 * neighbour workspace's write still applies.
 */
class StaleUpdateBurstIT {

    private static final Pattern GC_PAUSE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    @Test
    void aBurstOfStaleEditsOfABigDocumentCompletesUnderHalfAGigabyteOfHeap() throws Exception {
        Path data = Files.createTempDirectory("docsync-stale-burst-");
        Path gcLog = data.resolve("gc.log");
        LocalJarIT.Running stack = LocalJarIT.start(data, "-Xmx512m", "-Xlog:gc:file=" + gcLog);
        try {
            Api api = new Api(stack.url());
            String ws = "ws_burst";
            String neighbour = "ws_burst_neighbour";
            DevTokens tokens = new DevTokens(LocalJarIT.SECRET);
            String token = tokens.mint("burster", Map.of(ws, "editor"), Duration.ofHours(1));
            String content = StaleUpdateBurst.createBigDocument(api, token, ws, "big");

            long sent = System.nanoTime();
            List<UUID> batches = StaleUpdateBurst.sendStaleUpdates(api, token, ws, "big");

            // The last one lies behind all others in the log: once it answers, all have applied. Generous for a
            // busy machine; before issue 19 they never applied at all. Then a sample of the answers (each carries
            // the 9.5 MB document; StaleUpdateBurstIntegrationTest reads them all).
            StaleUpdateBurst.assertEveryAnswerIsAConflictWithTheCurrentState(api, token, List.of(batches.getLast()),
                    "big", content, Duration.ofSeconds(180));
            System.out.printf("STALE-BURST under -Xmx512m: %d stale edits sent and applied in %d ms%n",
                    batches.size(), (System.nanoTime() - sent) / 1_000_000);
            List<UUID> sample = new ArrayList<>(batches);
            Collections.shuffle(sample, new Random(19));
            StaleUpdateBurst.assertEveryAnswerIsAConflictWithTheCurrentState(api, token, sample.subList(0, 10), "big",
                    content, Duration.ofSeconds(60));
            StaleUpdateBurst.assertANeighbourStillApplies(api,
                    tokens.mint("neighbour", Map.of(neighbour, "editor"), Duration.ofHours(1)), neighbour);
            assertThat(stack.outputSoFar()).doesNotContain("OutOfMemoryError");
        } finally {
            stack.process().destroy();
            if (!stack.process().waitFor(60, TimeUnit.SECONDS)) {
                stack.process().destroyForcibly();
            }
            reportHeap(gcLog);
            String output = stack.outputSoFar();
            System.out.printf("STALE-BURST stack output: %d OutOfMemoryError, %d 'Stopping container'%n",
                    output.split("OutOfMemoryError", -1).length - 1, output.split("Stopping container", -1).length - 1);
            TestStack.deleteQuietly(data);
        }
    }

    /** The largest heap seen before and after a collection, from the stack's GC log. */
    private static void reportHeap(Path gcLog) throws Exception {
        if (!Files.exists(gcLog)) {
            return;
        }
        long before = 0;
        long after = 0;
        int pauses = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC_PAUSE.matcher(line);
            if (m.find()) {
                before = Math.max(before, Long.parseLong(m.group(1)));
                after = Math.max(after, Long.parseLong(m.group(2)));
                pauses++;
            }
        }
        System.out.printf("STALE-BURST heap under -Xmx512m: %d collections, peak %d MB before a collection, "
                + "%d MB after%n", pauses, before, after);
    }
}
