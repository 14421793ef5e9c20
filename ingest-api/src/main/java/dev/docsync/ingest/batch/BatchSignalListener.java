package dev.docsync.ingest.batch;

import dev.docsync.ingest.changes.WorkspaceSignals;
import dev.docsync.projection.signals.BatchSignals;
import java.util.Optional;
import java.util.UUID;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * While this instance runs, hears the apply's signals ({@link BatchSignals}: delivered on commit to every ingest
 * instance) and wakes the callers waiting for those batches, and the change-feed long-polls and streams of the
 * workspaces they changed. When the signal connection is (re-)established every waiter looks again, since signals
 * sent while disconnected are lost.
 */
@Component
class BatchSignalListener implements SmartLifecycle, BatchSignals.Receiver {

    private final BatchSignals signals;
    private final BatchWaiters waiters;
    private final WorkspaceSignals workspaces;
    private volatile Optional<BatchSignals.Listening> listening = Optional.empty();

    BatchSignalListener(BatchSignals signals, BatchWaiters waiters, WorkspaceSignals workspaces) {
        this.signals = signals;
        this.waiters = waiters;
        this.workspaces = workspaces;
    }

    @Override
    public void batchApplied(UUID batchId) {
        waiters.signal(batchId);
    }

    @Override
    public void workspaceChanged(String workspaceId) {
        workspaces.changed(workspaceId);
    }

    @Override
    public void signalsMayHaveBeenLost() {
        waiters.wakeAll();
        workspaces.wakeAll();
    }

    @Override
    public synchronized void start() {
        listening = Optional.of(signals.listen(this));
    }

    @Override
    public synchronized void stop() {
        listening.ifPresent(BatchSignals.Listening::close);
        listening = Optional.empty();
    }

    @Override
    public boolean isRunning() {
        return listening.isPresent();
    }
}
