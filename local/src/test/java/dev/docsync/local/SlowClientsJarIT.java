package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 19's slow-client load shapes against the executable jar as {@code ./run-local} starts it, under
 * {@code -Xmx512m}: 200 connections asking for a 9.5 MB document and never reading it, then 85 trickled bodies.
 * The JVM must not run out of heap (its GC log gives the peak), keep answering, and serve another tenant.
 * {@code -Ddocsync.local.jar=...} runs it against another jar (e.g. an older build, to compare).
 */
class SlowClientsJarIT {

    private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    @Test
    void slowClientsCannotExhaustAJarUnderXmx512m() throws Exception {
        Path data = Files.createTempDirectory("docsync-slow-");
        Path gcLog = data.resolve("gc.log");
        LocalJarIT.Running stack = LocalJarIT.start(data, "-Xmx512m", "-Xlog:gc:file=" + gcLog);
        Process process = stack.process();
        try {
            Api api = new Api(stack.url());
            DevTokens tokens = new DevTokens(LocalJarIT.SECRET);
            String ws = "ws_slow_big";
            String neighbourWs = "ws_slow_neighbour";
            String neighbour = tokens.mint("neighbour", Map.of(neighbourWs, "editor"), Duration.ofHours(1));

            String document = UnreadAnswers.createLargeDocument(api,
                    tokens.mint("writer", Map.of(ws, "editor"), Duration.ofHours(1)), ws);
            long started = System.nanoTime();
            UnreadAnswers.Outcome unread = UnreadAnswers.run(api,
                    tokens.mint("reader", Map.of(ws, "viewer"), Duration.ofHours(1)), ws, document, 200, neighbour,
                    neighbourWs);
            long unreadMillis = (System.nanoTime() - started) / 1_000_000;
            int heapAfterUnread = heapPeakMib(gcLog);
            System.out.printf("JAR -Xmx512m UNREAD ANSWERS %s in %d ms; neighbour %d rounds, statuses %s, slowest %d ms;"
                            + " heap peak so far %d MiB; alive %s%n", unread.unreadStatuses(), unreadMillis,
                    unread.neighbourRequests(), unread.neighbourStatuses().stream().distinct().toList(),
                    unread.neighbourSlowestMillis(), heapAfterUnread, process.isAlive());

            TrickledBodies.Outcome trickled = TrickledBodies.run(api,
                    tokens.mint("trickler", Map.of("ws_slow_trickle", "editor"), Duration.ofHours(1)), "ws_slow_trickle",
                    neighbour, neighbourWs);
            int heapAfterTrickle = heapPeakMib(gcLog);
            System.out.printf("JAR -Xmx512m TRICKLED BODIES answered %s after %d ms; neighbour %d batches, statuses %s,"
                            + " slowest %d ms (%d ms while the trickles connected); heap peak so far %d MiB; alive %s%n",
                    trickled.answers(), trickled.heldMillis(), trickled.neighbourStatuses().size(),
                    trickled.neighbourStatuses().stream().distinct().toList(), trickled.neighbourSlowestMillis(),
                    trickled.neighbourSlowestDuringConnectMillis(), heapAfterTrickle, process.isAlive());

            assertThat(process.isAlive()).isTrue();
            assertThat(api.get(null, "/actuator/health").status()).isEqualTo(200);
            assertThat(stack.outputSoFar()).doesNotContain("OutOfMemoryError");
            assertThat(unread.neighbourStatuses()).containsOnly(200);
            assertThat(trickled.neighbourStatuses()).containsOnly(200);
            assertThat(heapAfterTrickle).as("heap peak (MiB)").isLessThan(512);
        } finally {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            TestStack.deleteQuietly(data);
        }
    }

    /** The largest heap occupancy before a collection, from the JVM's GC log ({@code 300M->120M(512M)}). */
    private static int heapPeakMib(Path gcLog) throws IOException {
        List<String> lines = Files.exists(gcLog) ? Files.readAllLines(gcLog) : List.of();
        int peak = 0;
        for (String line : lines) {
            Matcher m = GC_LINE.matcher(line);
            if (m.find()) {
                peak = Math.max(peak, Integer.parseInt(m.group(1)));
            }
        }
        return peak;
    }
}
