package dev.docsync.worker.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PartitionLanesTest {

    @Test
    void eachPartitionsWorkRunsInTheOrderItWasHandedOverWhileOtherPartitionsGoOn() throws InterruptedException {
        List<String> done = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch otherPartitionRan = new CountDownLatch(1);
        try (PartitionLanes lanes = new PartitionLanes(3, 1024 * 1024)) {
            lanes.submit(0, 1024, () -> {
                await(release);
                done.add("0a");
            });
            lanes.submit(0, 1024, () -> done.add("0b"));
            lanes.submit(1, 1024, () -> {
                done.add("1a");
                otherPartitionRan.countDown();
            });
            // Partition 1 is not held up by partition 0's first run, and 0b waits for 0a.
            assertThat(otherPartitionRan.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(done).containsExactly("1a");
            release.countDown();
            while (!lanes.finish(Duration.ofMillis(100))) {
                // waiting for the lanes
            }
        }
        assertThat(done).containsExactly("1a", "0a", "0b");
    }

    @Test
    void theFirstFailureStopsItsPartitionAndIsThrown() {
        List<String> done = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch release = new CountDownLatch(1);
        try (PartitionLanes lanes = new PartitionLanes(2, 1024 * 1024)) {
            lanes.submit(0, 1024, () -> {
                await(release);
                throw new IllegalStateException("cannot replay p0@0");
            });
            lanes.submit(0, 1024, () -> done.add("0b"));
            release.countDown();
            assertThatThrownBy(() -> {
                while (!lanes.finish(Duration.ofMillis(100))) {
                    // waiting for the lanes
                }
            }).isInstanceOf(IllegalStateException.class).hasMessage("cannot replay p0@0");
            assertThatThrownBy(() -> lanes.submit(1, 1024, () -> done.add("1a")))
                    .hasMessage("cannot replay p0@0");
        }
        assertThat(done).isEmpty();
    }

    @Test
    void handingOverWaitsWhileTheLanesHoldTheWholeBudget() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch secondHandedOver = new CountDownLatch(1);
        try (PartitionLanes lanes = new PartitionLanes(2, 64 * 1024)) {
            lanes.submit(0, 64 * 1024, () -> await(release));
            Thread reader = Thread.ofPlatform().start(() -> {
                lanes.submit(1, 1024, () -> {
                });
                secondHandedOver.countDown();
            });
            assertThat(secondHandedOver.await(300, TimeUnit.MILLISECONDS)).isFalse();
            release.countDown();
            assertThat(secondHandedOver.await(10, TimeUnit.SECONDS)).isTrue();
            reader.join();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
