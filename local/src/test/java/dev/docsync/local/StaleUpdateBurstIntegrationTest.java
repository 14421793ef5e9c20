package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §3.1 and §6.8 (issue 19): a stored result refers to the state it reports, it never copies it. 120
 * one-line stale edits of a ~9.5 MB document each answer with the document (a sample is read), yet each stores a few
 * hundred bytes (every row is measured).
 */
class StaleUpdateBurstIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void staleEditsOfABigDocumentAnswerWithItButStoreOnlyAReference() {
        String ws = Batches.workspace("ws_stale_burst");
        String token = stack.editor("burster", ws);
        String content = StaleUpdateBurst.createBigDocument(stack.api, token, ws, "big");

        long sent = System.nanoTime();
        List<UUID> batches = StaleUpdateBurst.sendStaleUpdates(stack.api, token, ws, "big");

        String[] ids = batches.stream().map(UUID::toString).toArray(String[]::new);
        await().atMost(Duration.ofSeconds(120)).until(() -> stack.jdbc.queryForObject(
                "select count(*) from batch_results where batch_id = any(?::uuid[])", Long.class, (Object) ids),
                n -> n == StaleUpdateBurst.STALE_UPDATES + 1);
        System.out.printf("STALE-BURST %d stale edits sent and applied in %d ms%n", batches.size(),
                (System.nanoTime() - sent) / 1_000_000);
        // Every answer is rendered from its stored reference by the same code: the first, the last and a seeded
        // sample of the rest are read (each is 9.5 MB; reading all 121 took 60-90 s of the sequential suite), and
        // every stored row's size is checked below.
        List<UUID> sample = new ArrayList<>(batches.subList(1, batches.size() - 1));
        Collections.shuffle(sample, new Random(19));
        sample = new ArrayList<>(sample.subList(0, 10));
        sample.addAll(List.of(batches.getFirst(), batches.getLast()));
        int withCurrent = StaleUpdateBurst.assertEveryAnswerIsAConflictWithTheCurrentState(stack.api, token, sample,
                "big", content, Duration.ofSeconds(240));
        // Each answer is its own 10 MiB budget, and 9.5 MB fit in it.
        assertThat(withCurrent).isEqualTo(sample.size());
        Long[] sizes = stack.jdbc.queryForList("""
                select pg_column_size(results) from batch_results where batch_id = any(?::uuid[])""", Long.class,
                (Object) ids).toArray(Long[]::new);
        long max = java.util.Arrays.stream(sizes).mapToLong(Long::longValue).max().orElseThrow();
        long total = java.util.Arrays.stream(sizes).mapToLong(Long::longValue).sum();
        System.out.printf("STALE-BURST stored results: %d rows, %d bytes in all, at most %d bytes per stale update%n",
                sizes.length, total, max);
        assertThat(sizes).hasSize(StaleUpdateBurst.STALE_UPDATES + 1);
        assertThat(max).as("bytes stored per stale update").isLessThan(1024);
        String neighbour = Batches.workspace("ws_stale_neighbour");
        StaleUpdateBurst.assertANeighbourStillApplies(stack.api, stack.editor("neighbour", neighbour), neighbour);
        PartitionProbe.assertEveryPartitionApplies(stack);
    }
}
