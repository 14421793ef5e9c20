package dev.docsync.ingest.changes;

import dev.docsync.ingest.web.ApiProblem;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bound on held requests (long-polls and streams): at most {@code max} in the instance (beyond: 503) and
 * {@code maxPerActor} per actor (beyond: 429), both with Retry-After. A slot is held until its request ends.
 */
final class LiveSlots {

    private final int max;
    private final int maxPerActor;
    private final Duration retryAfter;
    private final AtomicInteger held = new AtomicInteger();
    private final ConcurrentMap<String, Integer> perActor = new ConcurrentHashMap<>();
    private final Set<Slot> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    LiveSlots(int max, int maxPerActor, Duration retryAfter) {
        this.max = max;
        this.maxPerActor = maxPerActor;
        this.retryAfter = retryAfter;
    }

    /** A slot for {@code actor}, to close when its request ends; {@code onShutdown} ends the request early. */
    Slot acquire(String actor, Runnable onShutdown) {
        if (closing) {
            throw ApiProblem.unavailable("this instance is shutting down", retryAfter);
        }
        if (held.incrementAndGet() > max) {
            held.decrementAndGet();
            throw ApiProblem.unavailable("this instance holds as many live requests as it allows (" + max
                    + "); retry after Retry-After, or on another instance", retryAfter);
        }
        boolean[] granted = {false};
        perActor.compute(actor, (a, count) -> {
            int n = count == null ? 0 : count;
            if (n >= maxPerActor) {
                return count;
            }
            granted[0] = true;
            return n + 1;
        });
        if (!granted[0]) {
            held.decrementAndGet();
            throw ApiProblem.tooManyRequests(retryAfter)
                    .with("limit", "at most " + maxPerActor + " long-polls and streams per actor at once");
        }
        Slot slot = new Slot(actor, onShutdown);
        open.add(slot);
        return slot;
    }

    int held() {
        return held.get();
    }

    /** Shutting down: nothing new is held, and every held request is ended (so graceful shutdown need not wait). */
    void closeAll() {
        closing = true;
        open.forEach(slot -> slot.onShutdown.run());
    }

    final class Slot implements AutoCloseable {
        private final String actor;
        private final Runnable onShutdown;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Slot(String actor, Runnable onShutdown) {
            this.actor = actor;
            this.onShutdown = onShutdown;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                open.remove(this);
                perActor.computeIfPresent(actor, (a, n) -> n <= 1 ? null : n - 1);
                held.decrementAndGet();
            }
        }
    }
}
