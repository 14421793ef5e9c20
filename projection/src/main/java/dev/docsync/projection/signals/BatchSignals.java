package dev.docsync.projection.signals;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The signal an apply transaction sends when it commits, both ends of it: NOTIFY (the apply-worker, inside its
 * transaction) and LISTEN (every ingest instance). PostgreSQL delivers a notification only when its transaction
 * commits, so a signalled result is always readable. Two channels, sent in one statement and heard on one
 * connection: the applied batches (comma-separated ids; wakes the callers waiting for a result) and the workspaces
 * whose change feed moved (comma-separated ids, each once; wakes their long-polls and streams).
 */
@Component
public class BatchSignals {

    private static final Logger log = LoggerFactory.getLogger(BatchSignals.class);

    static final String BATCH_APPLIED = "docsync_batch_applied";
    static final String WORKSPACE_CHANGED = "docsync_workspace_changed";

    private static final List<String> LISTEN = List.of("LISTEN " + BATCH_APPLIED, "LISTEN " + WORKSPACE_CHANGED);

    private static final String NOTIFY_ONE = "pg_notify(?, ?)";

    /** NOTIFY payloads must stay under 8000 bytes; 100 ids of 36 characters fit comfortably. */
    private static final int IDS_PER_SIGNAL = 100;

    /** Workspace ids hold no comma and at most 64 characters; a payload of them stays under this. */
    static final int MAX_PAYLOAD_CHARS = 7_000;

    private static final int POLL_MILLIS = 500;

    private final JdbcClient jdbc;
    private final DataSource dataSource;

    public BatchSignals(JdbcClient jdbc, DataSource dataSource) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
    }

    /** What an ingest instance does with the signals it hears. Calls come from the listening thread. */
    public interface Receiver {

        void batchApplied(UUID batchId);

        void workspaceChanged(String workspaceId);

        /** The connection was (re-)established: signals sent meanwhile are lost, so every waiter looks again. */
        void signalsMayHaveBeenLost();
    }

    /** A running listener; closing it stops the thread and releases its connection. */
    public interface Listening extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Inside the apply transaction (the caller's connection, bound to its transaction): announces the applied
     * batches and the workspaces they changed, delivered when the transaction commits. One statement, one round
     * trip, however many channels and payloads.
     */
    public void announce(Collection<UUID> appliedBatches, Collection<String> changedWorkspaces) {
        List<String> parameters = new ArrayList<>();
        List<String> ids = appliedBatches.stream().map(UUID::toString).toList();
        for (int from = 0; from < ids.size(); from += IDS_PER_SIGNAL) {
            parameters.add(BATCH_APPLIED);
            parameters.add(String.join(",", ids.subList(from, Math.min(ids.size(), from + IDS_PER_SIGNAL))));
        }
        StringBuilder workspaces = new StringBuilder();
        for (String workspace : changedWorkspaces) {
            if (workspaces.length() + workspace.length() + 1 > MAX_PAYLOAD_CHARS) {
                parameters.add(WORKSPACE_CHANGED);
                parameters.add(workspaces.toString());
                workspaces.setLength(0);
            }
            workspaces.append(workspaces.isEmpty() ? "" : ",").append(workspace);
        }
        if (!workspaces.isEmpty()) {
            parameters.add(WORKSPACE_CHANGED);
            parameters.add(workspaces.toString());
        }
        if (parameters.isEmpty()) {
            return;
        }
        String sql = "select " + String.join(", ", Collections.nCopies(parameters.size() / 2, NOTIFY_ONE));
        jdbc.sql(sql).params(parameters).query().listOfRows();
    }

    /**
     * Listens on a connection of its own, on a thread of its own, and hands what it hears to {@code receiver}.
     * Reconnects with back-off; after each (re)connect the receiver hears that signals may have been lost.
     */
    public Listening listen(Receiver receiver) {
        Listener listener = new Listener(receiver);
        listener.thread = Thread.ofPlatform().daemon().name("batch-signal-listener").start(listener::run);
        return listener;
    }

    private final class Listener implements Listening {

        private final Receiver receiver;
        private volatile boolean running = true;
        private Thread thread;

        Listener(Receiver receiver) {
            this.receiver = receiver;
        }

        @Override
        public void close() {
            running = false;
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void run() {
            ExponentialBackOff policy = new ExponentialBackOff(100, 2.0);
            policy.setMaxInterval(5_000);
            BackOffExecution backOff = policy.start();
            while (running) {
                try (Connection connection = dataSource.getConnection()) {
                    try (Statement listen = connection.createStatement()) {
                        for (String channel : LISTEN) {
                            listen.execute(channel);
                        }
                    }
                    PGConnection pg = connection.unwrap(PGConnection.class);
                    backOff = policy.start();
                    receiver.signalsMayHaveBeenLost();
                    while (running) {
                        PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                        if (notifications != null) {
                            for (PGNotification notification : notifications) {
                                deliver(notification);
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

        private void deliver(PGNotification notification) {
            if (notification.getName().equals(WORKSPACE_CHANGED)) {
                for (String workspace : notification.getParameter().split(",")) {
                    receiver.workspaceChanged(workspace);
                }
            } else {
                for (String id : notification.getParameter().split(",")) {
                    receiver.batchApplied(UUID.fromString(id));
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
