package dev.docsync.worker.consume;

import dev.docsync.worker.WorkerProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.event.ConcurrentContainerStoppedEvent;
import org.springframework.kafka.event.ConsumerStartedEvent;
import org.springframework.kafka.event.ConsumerStoppedEvent;
import org.springframework.kafka.event.ConsumerStoppingEvent;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.stereotype.Component;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Brings the consumers back after an {@link Error} on a consumer thread (an {@link OutOfMemoryError} included).
 * spring-kafka stops the whole listener container on an Error; this takes readiness DOWN at once, counts it
 * ({@code docsync.apply.consumer.errors{error}}), says in one log line which partitions stopped, and restarts the
 * container in place after a bounded exponential back-off (reset once a chunk applies again). The partition whose
 * apply threw is held back by {@link OperationsListener} meanwhile, so the others apply while it waits.
 */
@Component
class ConsumerSupervisor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ConsumerSupervisor.class);

    private final KafkaListenerEndpointRegistry registry;
    private final ConsumersHealthIndicator health;
    private final WorkerProperties properties;
    private final MeterRegistry meters;
    private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("apply-worker-restart").daemon().factory());
    /** The Error the listener saw last, for the count's tag and the log line; empty when it came from elsewhere. */
    private final AtomicReference<String> lastError = new AtomicReference<>("");
    /** Partitions of consumers that stopped since the last start (any stop: which one was the Error is known later). */
    private final Set<TopicPartition> stopping = ConcurrentHashMap.newKeySet();
    private volatile String incident = "";
    private volatile boolean running;
    private volatile boolean backingOff;
    private long restartDelay; // guarded by this
    private BackOffExecution backOff; // guarded by this
    private boolean restartPending; // guarded by this
    private int restartsInARow; // guarded by this

    ConsumerSupervisor(KafkaListenerEndpointRegistry registry, ConsumersHealthIndicator health,
            WorkerProperties properties, MeterRegistry meters) {
        this.registry = registry;
        this.health = health;
        this.properties = properties;
        this.meters = meters;
    }

    /** On the consumer thread, before the Error leaves the listener: readiness DOWN at once. */
    void errorOnConsumerThread(Error error, Collection<TopicPartition> assigned) {
        lastError.set(describe(error));
        health.halted(describe(error), assigned);
        count(error.getClass().getSimpleName());
    }

    /** A chunk applied: the consumers work, so the next Error starts the back-off afresh. */
    void applied() {
        if (backingOff) {
            synchronized (this) {
                backOff = null;
                restartsInARow = 0;
                backingOff = false;
            }
        }
    }

    @EventListener
    void onStopping(ConsumerStoppingEvent event) {
        if (event.getPartitions() != null) {
            stopping.addAll(event.getPartitions());
            health.alsoStopped(event.getPartitions());
        }
    }

    @EventListener
    void onStopped(ConsumerStoppedEvent event) {
        if (event.getReason() != ConsumerStoppedEvent.Reason.ERROR || !running) {
            return;
        }
        String error = lastError.getAndSet("");
        if (error.isEmpty()) { // not from the apply: counted here
            error = "an Error outside the apply (spring-kafka logged it above)";
            count("Error");
        }
        incident = error;
        health.halted(error, stopping);
        scheduleRestart();
    }

    private void count(String errorType) {
        Counter.builder("docsync.apply.consumer.errors")
                .description("Errors (OutOfMemoryError included) that stopped the worker's consumers")
                .tag("error", errorType).register(meters).increment();
    }

    /** Every consumer thread has stopped: now the stopped partitions are all known. */
    @EventListener
    void onAllStopped(ConcurrentContainerStoppedEvent event) {
        long delay;
        synchronized (this) {
            if (!restartPending || !running) {
                return;
            }
            delay = restartDelay;
        }
        log.error("An Error on a consumer thread ({}) stopped the apply-worker's consumers: partitions {} are not "
                + "applied until they restart, in {} ms; readiness is DOWN meanwhile",
                incident, health.haltedPartitions(), delay);
    }

    /** Readiness UP again (unless a partition is held) once a restarted consumer runs. */
    @EventListener
    void onStarted(ConsumerStartedEvent event) {
        synchronized (this) {
            if (restartPending) {
                return;
            }
        }
        stopping.clear();
        if (health.isHalted()) {
            health.running();
            log.info("The apply-worker's consumers run again");
        }
    }

    private synchronized void scheduleRestart() {
        if (restartPending) {
            return;
        }
        if (backOff == null) {
            ExponentialBackOff exponential = new ExponentialBackOff(
                    properties.errorRestartInitialInterval().toMillis(), 2.0);
            exponential.setMaxInterval(properties.errorRestartMaxInterval().toMillis());
            backOff = exponential.start();
        }
        long next = backOff.nextBackOff();
        restartDelay = next == BackOffExecution.STOP ? properties.errorRestartMaxInterval().toMillis() : next;
        restartPending = true;
        backingOff = true;
        restartsInARow++;
        schedule(restartDelay);
    }

    private void schedule(long delay) {
        try {
            restarts.schedule(this::restart, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            log.debug("Not restarting the consumers: the worker is stopping");
        }
    }

    private void restart() {
        if (!running) {
            return;
        }
        MessageListenerContainer container = registry.getListenerContainer(OperationsListener.LISTENER_ID);
        if (container == null) {
            return;
        }
        if (container.isRunning() || container.isChildRunning()) {
            schedule(100); // consumer threads still stopping
            return;
        }
        int attempt;
        synchronized (this) {
            restartPending = false;
            attempt = restartsInARow;
        }
        try {
            container.start();
            log.info("Restarted the apply-worker's consumers (restart {} in a row)", attempt);
        } catch (RuntimeException e) {
            log.error("Restarting the apply-worker's consumers failed; trying again", e);
            scheduleRestart();
        }
    }

    static String describe(Throwable error) {
        return error.getClass().getSimpleName() + ": " + error.getMessage();
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        restarts.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
