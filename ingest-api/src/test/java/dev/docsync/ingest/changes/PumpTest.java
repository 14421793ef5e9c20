package dev.docsync.ingest.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PumpTest {

    /** Runs submitted tasks only when the test says so, to place pokes while a run is in progress. */
    private final List<Runnable> queued = new ArrayList<>();

    @Test
    void pokesDuringARunCauseExactlyOneMoreRunAndNoneAreLost() {
        AtomicInteger runs = new AtomicInteger();
        Pump[] pump = new Pump[1];
        pump[0] = new Pump(queued::add, () -> {
            if (runs.incrementAndGet() == 1) {
                pump[0].poke();
                pump[0].poke();
                pump[0].poke();
            }
        });

        pump[0].poke();
        pump[0].poke();
        assertThat(queued).hasSize(1);
        queued.removeFirst().run();

        assertThat(runs).hasValue(2);
        pump[0].poke();
        assertThat(queued).hasSize(1);
    }
}
