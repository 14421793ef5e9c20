package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The oracle "every partition still applies": one synchronous batch into a fresh workspace on each partition
 * of the stack's topic, all at once, each of which must be applied (200, completed) within the wait.
 */
final class PartitionProbe {

    private PartitionProbe() {
    }

    /** A fresh workspace id that the producer puts on {@code partition}. */
    static String workspaceOn(int partition, String prefix) {
        while (true) {
            String ws = Batches.workspace(prefix);
            if (LogInspector.partitionOf(ws) == partition) {
                return ws;
            }
        }
    }

    static void assertEveryPartitionApplies(TestStack stack) {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<String>> probes = new ArrayList<>();
            for (int p = 0; p < TestStack.PARTITIONS; p++) {
                String ws = workspaceOn(p, "ws_probe");
                int partition = p;
                probes.add(CompletableFuture.supplyAsync(() -> {
                    Api.Response response = stack.api.postBatch(stack.editor("prober", ws),
                            batch(ws, List.of(create("probe", "probe", "probe"))), Map.of("Prefer", "wait=20"));
                    return response.status() == 200 && response.json().get("successful").asInt() == 1 ? null
                            : "partition " + partition + " did not apply within 20 s: " + response.status() + " "
                                    + response.text();
                }, pool));
            }
            List<String> stalled = probes.stream().map(CompletableFuture::join).filter(s -> s != null).toList();
            assertThat(stalled).as("partitions that no longer apply").isEmpty();
        }
    }
}
