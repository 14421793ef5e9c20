package dev.docsync.ingest.batch;

import dev.docsync.ingest.changes.WorkspaceSignals;
import dev.docsync.projection.BatchSignal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Listens on PostgreSQL for applied batches (the apply transaction's NOTIFY, delivered on commit to every
 * ingest instance) and wakes the callers waiting for them, and the change-feed long-polls and streams of the
 * workspaces they changed. Reconnects with back-off; after each (re)connect
 * it wakes every waiter once, since signals sent while disconnected are lost.
 */
@Component
class BatchSignalListener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BatchSignalListener.class);
    private static final int POLL_MILLIS = 500;

    private final DataSource dataSource;
    private final BatchWaiters waiters;
    private final WorkspaceSignals workspaces;
    private volatile boolean running;
    private Thread thread;

    BatchSignalListener(DataSource dataSource, BatchWaiters waiters, WorkspaceSignals workspaces) {
        this.dataSource = dataSource;
        this.waiters = waiters;
        this.workspaces = workspaces;
    }

    @Override
    public void start() {
        running = true;
        thread = Thread.ofPlatform().daemon().name("batch-signal-listener").start(this::listen);
    }

    @Override
    public void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listen() {
        ExponentialBackOff policy = new ExponentialBackOff(100, 2.0);
        policy.setMaxInterval(5_000);
        BackOffExecution backOff = policy.start();
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                try (Statement listen = connection.createStatement()) {
                    listen.execute("LISTEN " + BatchSignal.CHANNEL);
                    listen.execute("LISTEN " + BatchSignal.WORKSPACES_CHANNEL);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                backOff = policy.start();
                waiters.wakeAll();
                workspaces.wakeAll();
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            if (notification.getName().equals(BatchSignal.WORKSPACES_CHANNEL)) {
                                for (String workspace : notification.getParameter().split(",")) {
                                    workspaces.changed(workspace);
                                }
                            } else {
                                for (String id : notification.getParameter().split(",")) {
                                    waiters.signal(UUID.fromString(id));
                                }
                            }
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    long delay = backOff.nextBackOff();
                    log.warn("Batch signal connection lost ({}); reconnecting in {} ms", e.getMessage(), delay);
                    sleep(delay);
                }
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
