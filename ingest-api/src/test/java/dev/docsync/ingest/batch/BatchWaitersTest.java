package dev.docsync.ingest.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.ingest.IngestMetrics;
import dev.docsync.ingest.IngestProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class BatchWaitersTest {

    private static final Duration SHORT = Duration.ofMillis(20);

    private final BatchWaiters waiters = new BatchWaiters(new IngestProperties(Duration.ofSeconds(30),
            Duration.ofSeconds(120), 100, DataSize.ofMegabytes(10), 2, Duration.ofSeconds(2), 1024, 10_485_760,
            10_485_760, 2, DataSize.ofMegabytes(96)), new IngestMetrics(new SimpleMeterRegistry()));

    @Test
    void aSignalWakesTheWaiterOfItsBatchOnly() {
        UUID mine = UUID.randomUUID();
        BatchWaiters.Waiter waiter = waiters.register(mine).orElseThrow();

        waiters.signal(UUID.randomUUID());
        assertThat(waiter.await(SHORT)).isFalse();

        waiters.signal(mine);
        assertThat(waiter.await(SHORT)).isTrue();
    }

    @Test
    void afterRearmingAWaiterWaitsForTheNextSignal() {
        UUID batch = UUID.randomUUID();
        BatchWaiters.Waiter waiter = waiters.register(batch).orElseThrow();
        waiters.signal(batch);

        waiter.rearm();

        assertThat(waiter.await(SHORT)).isFalse();
        waiters.wakeAll();
        assertThat(waiter.await(SHORT)).isTrue();
    }

    @Test
    void beyondItsCapacityNobodyWaitsUntilAWaiterLeaves() {
        BatchWaiters.Waiter first = waiters.register(UUID.randomUUID()).orElseThrow();
        waiters.register(UUID.randomUUID());

        assertThat(waiters.register(UUID.randomUUID())).isEmpty();

        first.close();
        assertThat(waiters.register(UUID.randomUUID())).isPresent();
    }

    @Test
    void shuttingDownWakesEveryWaiterAndLetsNobodyWaitAnymore() {
        BatchWaiters.Waiter waiter = waiters.register(UUID.randomUUID()).orElseThrow();
        waiters.start();

        waiters.stop();

        assertThat(waiters.closing()).isTrue();
        assertThat(waiter.await(SHORT)).isTrue();
        assertThat(waiters.register(UUID.randomUUID())).isEmpty();
    }
}
