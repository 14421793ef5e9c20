package dev.docsync.worker;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param groupId the consumer group shared by all apply-worker instances
 * @param concurrency consumer threads in this instance (each owns a share of the partitions)
 * @param retryInitialInterval first back-off after a failed apply transaction, doubling up to the maximum
 */
@ConfigurationProperties("docsync.worker")
public record WorkerProperties(
        @DefaultValue("docsync-apply") String groupId,
        @DefaultValue("3") int concurrency,
        @DefaultValue("200ms") Duration retryInitialInterval,
        @DefaultValue("10s") Duration retryMaxInterval) {
}
