package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
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
