package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.docsync.contracts.OperationsTopic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * A stored position beyond a partition's log end (the log lost data) stops that partition loudly instead of
 * skipping or re-reading silently. (The recorded partition count is checked in {@link TopicSafetyIntegrationTest}.)
 */
class LostLogIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void aStoredPositionBeyondTheLogEndStopsItsPartitionInsteadOfSkipping() {
        String ws = Batches.workspace("ws_lost_log");
        int partition = LogInspector.partitionOf(ws);
        MessageListenerContainer listener = stack.stack.worker().getBean(KafkaListenerEndpointRegistry.class)
                .getListenerContainer("apply-worker");
        listener.stop();
        long real = storedPosition(partition);
        long beyond = real + 1_000;
        setStoredPosition(partition, beyond);
        try {
            listener.start();
            Api.Response accepted = stack.api.postBatch(stack.editor("l", ws),
                    batch(ws, List.of(create("c", "d", "t"))), Map.of("Prefer", "respond-async"));
            assertThat(accepted.status()).isEqualTo(202);
            String batchId = accepted.json().get("batch_id").asString();

            await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).until(() ->
                    storedPosition(partition) == beyond && !applied(batchId));

            listener.stop();
            setStoredPosition(partition, real);
            listener.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> applied(batchId));
        } finally {
            if (!listener.isRunning()) {
                setStoredPosition(partition, real);
                listener.start();
            }
        }
    }

    private boolean applied(String batchId) {
        return stack.jdbc.queryForObject("select count(*) from batch_results where batch_id = ?::uuid", Long.class,
                batchId) == 1;
    }

    private long storedPosition(int partition) {
        return stack.jdbc.queryForObject("select next_offset from consumer_offsets where topic = ? and partition = ?",
                Long.class, OperationsTopic.DEFAULT_NAME, partition);
    }

    private void setStoredPosition(int partition, long offset) {
        stack.jdbc.update("update consumer_offsets set next_offset = ? where topic = ? and partition = ?", offset,
                OperationsTopic.DEFAULT_NAME, partition);
    }
}
