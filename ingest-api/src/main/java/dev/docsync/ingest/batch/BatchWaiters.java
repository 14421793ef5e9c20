package dev.docsync.ingest.batch;

import dev.docsync.ingest.IngestProperties;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.stereotype.Component;

/**
 * Synchronous callers waiting for their batch's result in this instance. Bounded (beyond the limit a caller
 * gets 202 at once) and self-cleaning (a waiter leaves the map when its request ends). Only an optimisation:
 * results are read from PostgreSQL, a signal just says "look now".
 */
@Component
class BatchWaiters {

    private final Map<UUID, Waiter> waiting = new ConcurrentHashMap<>();
    private final int capacity;

    BatchWaiters(IngestProperties properties) {
        this.capacity = properties.maxWaiters();
    }

    /** A waiter for {@code batchId}, or null when this instance already has as many waiters as it allows. */
    Waiter register(UUID batchId) {
        if (waiting.size() >= capacity) {
            return null;
        }
        Waiter waiter = new Waiter(batchId);
        waiting.put(batchId, waiter);
        return waiter;
    }

    void signal(UUID batchId) {
        Waiter waiter = waiting.get(batchId);
        if (waiter != null) {
            waiter.signal();
        }
    }

    /** Wake everyone to re-check the database, e.g. after the signal connection was re-established. */
    void wakeAll() {
        waiting.values().forEach(Waiter::signal);
    }

    final class Waiter implements AutoCloseable {
        private final UUID batchId;
        private volatile CompletableFuture<Void> signal = new CompletableFuture<>();

        private Waiter(UUID batchId) {
            this.batchId = batchId;
        }

        /** True when signalled within {@code timeout}. */
        boolean await(Duration timeout) {
            try {
                signal.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Ready for the next signal; call before re-checking the database so no signal can fall between. */
        void rearm() {
            signal = new CompletableFuture<>();
        }

        private void signal() {
            signal.complete(null);
        }

        @Override
        public void close() {
            waiting.remove(batchId, this);
        }
    }
}
