package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.EventHeaders;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class PoisonEventIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void anUnreadableEventGoesToTheDeadLetterTopicAndItsPartitionKeepsMoving() throws Exception {
        String ws = Batches.workspace("ws_poison");
        String marker = "not an event " + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> producer = stack.log.plainProducer()) {
            producer.send(new ProducerRecord<>(stack.log.topic(), ws, marker.getBytes(StandardCharsets.UTF_8))).get();
        }

        Api.Response after = stack.api.postBatch(stack.editor("p", ws), batch(ws, List.of(create("a", "ok", "OK"))));

        assertThat(after.status()).isEqualTo(200);
        assertThat(after.json().get("successful").asInt()).isEqualTo(1);
        ConsumerRecord<String, byte[]> dead = findInDeadLetters(LogInspector.partitionOf(ws), marker);
        assertThat(dead.key()).isEqualTo(ws);
        assertThat(dead.headers().lastHeader("kafka_dlt-exception-message")).isNotNull();
        assertThat(new String(dead.headers().lastHeader("kafka_dlt-original-topic").value(), StandardCharsets.UTF_8))
                .isEqualTo(stack.log.topic());
    }

    @Test
    void aBatchWithAnUnreadableEventIsRejectedAndItsResultSaysWhy() throws Exception {
        String ws = Batches.workspace("ws_poison_batch");
        UUID batchId = UUID.randomUUID();
        OperationEvent readable = new OperationEvent(OperationEvent.CURRENT_SCHEMA, batchId, ws, 0, 2, true, "p",
                Instant.now(), "c0", OperationType.CREATE, "never", null, new DocumentData("t", "c", null));
        String marker = "{\"schema\": 1, truncated " + UUID.randomUUID();
        UUID nothingReadable = UUID.randomUUID();
        try (KafkaProducer<String, byte[]> producer = stack.log.plainProducer()) {
            producer.send(withBatchHeaders(new ProducerRecord<>(stack.log.topic(), ws,
                    DocsyncJson.mapper().writeValueAsBytes(readable)), batchId, 0, 2)).get();
            producer.send(withBatchHeaders(new ProducerRecord<>(stack.log.topic(), ws,
                    marker.getBytes(StandardCharsets.UTF_8)), batchId, 1, 2)).get();
            producer.send(withBatchHeaders(new ProducerRecord<>(stack.log.topic(), ws,
                    "\u0000".getBytes(StandardCharsets.UTF_8)), nothingReadable, 0, 1)).get();
        }
        String token = stack.editor("p", ws);

        Api.Response after = stack.api.postBatch(token, batch(ws, List.of(create("a", "ok", "OK"))));
        Api.Response rejected = stack.api.get(token, "/api/v1/batches/" + batchId);

        assertThat(after.status()).isEqualTo(200);
        assertThat(rejected.status()).isEqualTo(200);
        JsonNode result = rejected.json();
        assertThat(result.get("status").asString()).isEqualTo("completed");
        assertThat(result.get("successful").asInt()).isZero();
        assertThat(result.get("results")).hasSize(2);
        assertThat(result.get("results").get(0).get("client_id").asString()).isEqualTo("c0");
        assertThat(result.get("results").get(0).get("error").get("code").asString()).isEqualTo("unreadable_event");
        assertThat(result.get("results").get(1).get("error").get("code").asString()).isEqualTo("unreadable_event");
        assertThat(stack.api.document(token, ws, "never").status()).isEqualTo(404);
        JsonNode alone = stack.api.get(token, "/api/v1/batches/" + nothingReadable).json();
        assertThat(alone.get("status").asString()).isEqualTo("completed");
        assertThat(alone.get("results").get(0).get("error").get("code").asString()).isEqualTo("unreadable_event");
        assertThat(findInDeadLetters(LogInspector.partitionOf(ws), marker).key()).isEqualTo(ws);
    }

    private static ProducerRecord<String, byte[]> withBatchHeaders(ProducerRecord<String, byte[]> record, UUID batchId,
            int seq, int count) {
        record.headers().add(EventHeaders.BATCH_ID, batchId.toString().getBytes(StandardCharsets.UTF_8))
                .add(EventHeaders.SEQ, String.valueOf(seq).getBytes(StandardCharsets.UTF_8))
                .add(EventHeaders.COUNT, String.valueOf(count).getBytes(StandardCharsets.UTF_8));
        return record;
    }

    private ConsumerRecord<String, byte[]> findInDeadLetters(int partition, String marker) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.log.bootstrap());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
            TopicPartition tp = new TopicPartition(stack.log.topic() + "-dlt", partition);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (new String(record.value(), StandardCharsets.UTF_8).equals(marker)) {
                        return record;
                    }
                }
            }
        }
        throw new AssertionError("no dead letter with the marker in partition " + partition);
    }
}
