package dev.docsync.ingest.batch;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Readiness of the append path ({@code appendLanes}): DOWN while fewer append lanes run than configured. */
@Component("appendLanes")
class AppendLanesHealthIndicator implements HealthIndicator {

    private final OperationLog operationLog;

    AppendLanesHealthIndicator(OperationLog operationLog) {
        this.operationLog = operationLog;
    }

    @Override
    public Health health() {
        return operationLog.lanesAlive() ? Health.up().build() : Health.down().withDetail("reason",
                "an append lane is not running (being replaced, or the instance is stopping)").build();
    }
}
