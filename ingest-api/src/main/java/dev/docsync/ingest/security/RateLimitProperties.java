package dev.docsync.ingest.security;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Per-actor request rate (DESIGN §3.5: generous, so normal clients never meet it).
 *
 * @param requestsPerSecond sustained rate per actor
 * @param burst requests an actor may make at once after being idle
 * @param idleExpiry how long an idle actor's bucket is kept
 */
@ConfigurationProperties("docsync.rate-limit")
public record RateLimitProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("200") long requestsPerSecond,
        @DefaultValue("400") long burst,
        @DefaultValue("10m") Duration idleExpiry) {
}
