package dev.docsync.ingest.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.docsync.ingest.IngestMetrics;
import dev.docsync.ingest.web.ApiProblem;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * A token bucket per authenticated actor (bucket4j; idle buckets expire from a bounded Caffeine cache).
 * Over the limit, the request is answered 429 with {@code Retry-After} before any work is done.
 */
@Component
class ActorRateLimiter implements HandlerInterceptor {

    private static final Logger audit = LoggerFactory.getLogger("docsync.audit");
    private static final int MAX_TRACKED_ACTORS = 100_000;

    private final RateLimitProperties properties;
    private final Cache<String, Bucket> buckets;
    private final IngestMetrics metrics;

    ActorRateLimiter(RateLimitProperties properties, IngestMetrics metrics) {
        this.properties = properties;
        this.metrics = metrics;
        this.buckets = Caffeine.newBuilder().expireAfterAccess(properties.idleExpiry())
                .maximumSize(MAX_TRACKED_ACTORS).build();
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        // A held request (long-poll) is dispatched a second time to write its answer: it was counted once.
        if (request.getDispatcherType() == DispatcherType.ASYNC || !properties.enabled() || authentication == null
                || !authentication.isAuthenticated()) {
            return true;
        }
        String actor = authentication.getName();
        ConsumptionProbe probe = buckets.get(actor, a -> newBucket()).tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return true;
        }
        Duration wait = Duration.ofNanos(probe.getNanosToWaitForRefill());
        metrics.rateLimited();
        audit.info("rate limited: actor={} path={} retry_after_ms={}", actor, request.getRequestURI(), wait.toMillis());
        throw ApiProblem.tooManyRequests(wait.plusMillis(999).withNanos(0));
    }

    private Bucket newBucket() {
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(properties.burst())
                        .refillGreedy(properties.requestsPerSecond(), Duration.ofSeconds(1)).build())
                .build();
    }
}
