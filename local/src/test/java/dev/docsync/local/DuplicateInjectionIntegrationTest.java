package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static dev.docsync.local.Batches.update;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** A range of already-applied events produced again (a replayed range, a producer gone wild) applies nothing twice. */
class DuplicateInjectionIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void eventsProducedAgainAreRecognisedByTheirBatchIdAndSkipped() throws Exception {
        String ws = Batches.workspace("ws_dupes");
        String token = stack.editor("dup", ws);
        stack.api.postBatch(token, batch(ws, List.of(create("c", "counter", "0"), create("d", "other", "x"))));
        for (int i = 1; i <= 5; i++) {
            stack.api.postBatch(token, batch(ws, List.of(update("u", "counter", null, "" + i))));
        }
        long versionsBefore = versions(ws);
        long resultsBefore = results(ws);

        List<ConsumerRecord<String, byte[]>> applied = recordsOf(ws);
        try (KafkaProducer<String, byte[]> producer = stack.log.plainProducer()) {
            for (ConsumerRecord<String, byte[]> record : applied) {
                producer.send(new ProducerRecord<>(record.topic(), record.partition(), record.key(), record.value(),
                        record.headers())).get();
            }
        }
        Api.Response after = stack.api.postBatch(token, batch(ws, List.of(update("u", "counter", null, "after"))));

        assertThat(applied).hasSize(7);
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.json().get("results").get(0).get("version").asLong()).isEqualTo(7);
        assertThat(versions(ws)).isEqualTo(versionsBefore + 1);
        assertThat(results(ws)).isEqualTo(resultsBefore + 1);
    }

    private long versions(String ws) {
        return stack.jdbc.queryForObject("select count(*) from document_versions where workspace_id = ?", Long.class, ws);
    }

    private long results(String ws) {
        return stack.jdbc.queryForObject("select count(*) from batch_results where workspace_id = ?", Long.class, ws);
    }

    private List<ConsumerRecord<String, byte[]>> recordsOf(String ws) {
        return stack.log.committedRecords(ws::equals);
    }
}
