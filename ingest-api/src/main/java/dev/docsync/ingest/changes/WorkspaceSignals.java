package dev.docsync.ingest.changes;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.springframework.stereotype.Component;

/**
 * Who in this instance waits for a workspace's change feed to move (long-polls, streams), woken by the apply's
 * signal once per workspace and notification. A wake-up must not block: it only schedules a read.
 */
@Component
public class WorkspaceSignals {

    private final ConcurrentMap<String, Set<Runnable>> waiting = new ConcurrentHashMap<>();

    /** The apply committed changes of {@code workspaceId}. */
    public void changed(String workspaceId) {
        Set<Runnable> wakes = waiting.get(workspaceId);
        if (wakes != null) {
            wakes.forEach(Runnable::run);
        }
    }

    /** Signals may have been lost (the signal connection was re-established): everyone looks again. */
    public void wakeAll() {
        waiting.values().forEach(wakes -> wakes.forEach(Runnable::run));
    }

    Subscription subscribe(String workspaceId, Runnable wake) {
        waiting.compute(workspaceId, (ws, wakes) -> {
            Set<Runnable> set = wakes == null ? ConcurrentHashMap.newKeySet() : wakes;
            set.add(wake);
            return set;
        });
        return () -> waiting.computeIfPresent(workspaceId, (ws, wakes) -> {
            wakes.remove(wake);
            return wakes.isEmpty() ? null : wakes;
        });
    }

    /** Ends a subscription; idempotent. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
