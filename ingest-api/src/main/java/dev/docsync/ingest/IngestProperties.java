package dev.docsync.ingest;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * @param syncWait how long a synchronous batch waits for its result before answering 202 (DESIGN: 30 s)
 * @param maxSyncWait the cap on {@code Prefer: wait=N}
 * @param maxOperations operations per batch; more is 413
 * @param maxRequestSize request body limit; more is 413 (10 MiB)
 * @param maxWaiters synchronous callers waiting at once in this instance; beyond it callers get 202 at once
 * @param retryAfter the {@code Retry-After} given with a 503 when the log is unavailable
 * @param maxTitleLength characters of a title (DESIGN: 1,024)
 * @param maxContentLength characters of a document's content
 * @param maxYjsStateLength characters of {@code yjs_state_b64}
 * @param maxBodiesInFlight request body bytes this instance holds at once; beyond it a request is refused
 *     with 503 + Retry-After before its body is read (bounded memory under hostile load)
 * @param appendLanes Kafka transactions in flight at once; each carries the batches that queued meanwhile
 */
@ConfigurationProperties("docsync.ingest")
public record IngestProperties(
        @DefaultValue("30s") Duration syncWait,
        @DefaultValue("120s") Duration maxSyncWait,
        @DefaultValue("100") int maxOperations,
        @DefaultValue("10MB") DataSize maxRequestSize,
        @DefaultValue("10000") int maxWaiters,
        @DefaultValue("2s") Duration retryAfter,
        @DefaultValue("1024") int maxTitleLength,
        @DefaultValue("10485760") int maxContentLength,
        @DefaultValue("10485760") int maxYjsStateLength,
        @DefaultValue("2") int appendLanes,
        @DefaultValue("96MB") DataSize maxBodiesInFlight) {
}
