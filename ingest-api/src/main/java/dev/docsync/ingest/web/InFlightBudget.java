package dev.docsync.ingest.web;

import java.util.HashMap;
import java.util.Map;

/**
 * Bytes (counted in KiB) an instance holds for requests in flight, in all and per actor: a reservation that
 * would take the instance over {@code total}, or one actor over {@code perActor}, is refused; an actor that holds
 * nothing may always take one reservation (however large) while the instance has room, so that no single request
 * is refused for its size alone. Every granted reservation must be released exactly once.
 */
final class InFlightBudget {

    /** Whether a reservation was granted, and if not, whose limit it met. */
    enum Grant {
        GRANTED, ACTOR_SHARE_FULL, INSTANCE_FULL
    }

    private final long totalKib;
    private final long perActorKib;
    private final Map<String, Long> heldByActor = new HashMap<>();
    private long held;

    InFlightBudget(long totalKib, long perActorKib) {
        if (totalKib < 1 || perActorKib < 1) {
            throw new IllegalArgumentException("budgets must be positive: " + totalKib + " KiB, " + perActorKib + " KiB");
        }
        this.totalKib = totalKib;
        this.perActorKib = perActorKib;
    }

    static long kib(long bytes) {
        return bytes / 1024 + 1;
    }

    synchronized Grant reserve(String actor, long kib) {
        long actorHeld = heldByActor.getOrDefault(actor, 0L);
        if (actorHeld > 0 && actorHeld + kib > perActorKib) {
            return Grant.ACTOR_SHARE_FULL;
        }
        if (held + kib > totalKib) {
            return Grant.INSTANCE_FULL;
        }
        held += kib;
        heldByActor.put(actor, actorHeld + kib);
        return Grant.GRANTED;
    }

    synchronized void release(String actor, long kib) {
        held -= kib;
        heldByActor.computeIfPresent(actor, (a, h) -> h - kib <= 0 ? null : h - kib);
    }

    synchronized long heldKib() {
        return held;
    }

    synchronized long heldKib(String actor) {
        return heldByActor.getOrDefault(actor, 0L);
    }
}
