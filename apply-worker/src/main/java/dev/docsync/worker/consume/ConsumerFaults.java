package dev.docsync.worker.consume;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.stereotype.Component;

/**
 * A test hook, unarmed unless a test arms it: throws a chosen {@link Error} (or exception) on the consumer thread,
 * where an apply transaction would run, when a record of the armed workspace comes to be applied. It stands in for an
 * {@link OutOfMemoryError} in the apply path, which a test cannot cause on purpose without starving its JVM, or for
 * a transient failure (an exception: the partition backs off and retries).
 */
@Component
public final class ConsumerFaults {

    private volatile Map<String, Supplier<? extends Throwable>> armed = Map.of();

    /** Every record of {@code workspaceId} (its key) throws {@code error} on the consumer thread, until cleared. */
    public void failOn(String workspaceId, Supplier<? extends Error> error) {
        armed = Map.of(workspaceId, error);
    }

    /** Every record of {@code workspaceId} fails with {@code failure} (a transient failure), until cleared. */
    public void failTransientlyOn(String workspaceId, Supplier<? extends RuntimeException> failure) {
        armed = Map.of(workspaceId, failure);
    }

    public void clear() {
        armed = Map.of();
    }

    void check(List<? extends ConsumerRecord<String, ?>> records) {
        Map<String, Supplier<? extends Throwable>> faults = armed;
        if (faults.isEmpty()) {
            return;
        }
        for (ConsumerRecord<String, ?> record : records) {
            Supplier<? extends Throwable> fault = record.key() == null ? null : faults.get(record.key());
            if (fault != null) {
                Throwable failure = fault.get();
                if (failure instanceof Error error) {
                    throw error;
                }
                throw (RuntimeException) failure;
            }
        }
    }
}
