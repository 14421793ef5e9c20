package dev.docsync.topic;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Readiness of the log: the cluster answers {@code describeCluster} within a short timeout. The answer is kept
 * for {@code cacheFor}, so a probe every second or a burst of scrapes costs one round trip, and a probe never
 * hangs on a broker that is away (the call's own timeout bounds it on the app's shared admin client).
 */
public final class KafkaHealthIndicator implements HealthIndicator {

    private final Admin admin;
    private final Duration timeout;
    private final Duration cacheFor;
    private final Clock clock;
    private Health last;
    private Instant lastAt = Instant.MIN;

    public KafkaHealthIndicator(Admin admin, Duration timeout, Duration cacheFor, Clock clock) {
        this.admin = admin;
        this.timeout = timeout;
        this.cacheFor = cacheFor;
        this.clock = clock;
    }

    @Override
    public synchronized Health health() {
        Instant now = clock.instant();
        if (last == null || !now.isBefore(lastAt.plus(cacheFor))) {
            last = probe();
            lastAt = now;
        }
        return last;
    }

    private Health probe() {
        try {
            DescribeClusterResult cluster = admin.describeCluster(
                    new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()));
            long wait = timeout.toMillis() + 500;
            return Health.up()
                    .withDetail("clusterId", cluster.clusterId().get(wait, TimeUnit.MILLISECONDS))
                    .withDetail("nodes", cluster.nodes().get(wait, TimeUnit.MILLISECONDS).size())
                    .build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down().withDetail("error", "interrupted").build();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            return Health.down().withDetail("error", cause.getClass().getSimpleName() + ": " + cause.getMessage())
                    .build();
        }
    }
}
