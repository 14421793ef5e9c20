package dev.docsync.worker;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * @param groupId the consumer group shared by all apply-worker instances
 * @param concurrency consumer threads in this instance (each owns a share of the partitions)
 * @param retryInitialInterval first back-off after a failed apply transaction, doubling up to the maximum
 * @param instanceId optional static group membership ({@code group.instance.id}, suffixed per consumer thread):
 *     a restarted worker with the same id takes its partitions back at once instead of waiting for the
 *     crashed one's session to expire. Must be unique per running instance; local mode uses {@code local}.
 * @param lagInterval how often the lag per partition (log end vs stored position) is measured
 * @param maxTransactionBytes the most event data (bodies, titles and a fixed overhead per event) one apply
 *     transaction holds: a poll that brings more is applied in several transactions (DESIGN §6.8)
 * @param allowPartitionChange start even though the topic's partition count differs from the one the projection
 *     recorded (workspaces then move partitions; only for an operator who knows why)
 * @param highestKnownSchema the newest event schema this worker reads; a record of a newer one pauses its partition
 *     until a newer worker applies it. This build reads schema 1; a higher value only makes sense in a test that
 *     plays a worker "upgraded" to a newer schema, never in production
 * @param errorRestartInitialInterval after an {@link Error} on a consumer thread stopped the consumers: the first
 *     delay before they are restarted in place, and before the partition that failed is tried again (each doubling
 *     up to the maximum while the error repeats)
 */
@ConfigurationProperties("docsync.worker")
public record WorkerProperties(
        @DefaultValue("docsync-apply") String groupId,
        @DefaultValue("3") int concurrency,
        @DefaultValue("200ms") Duration retryInitialInterval,
        @DefaultValue("10s") Duration retryMaxInterval,
        String instanceId,
        @DefaultValue("5s") Duration lagInterval,
        @DefaultValue("false") boolean allowPartitionChange,
        @DefaultValue("32MB") DataSize maxTransactionBytes,
        @DefaultValue("1") int highestKnownSchema,
        @DefaultValue("1s") Duration errorRestartInitialInterval,
        @DefaultValue("60s") Duration errorRestartMaxInterval) {
}
