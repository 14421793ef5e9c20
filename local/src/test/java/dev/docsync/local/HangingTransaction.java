package dev.docsync.local;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationType;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An open Kafka transaction on a workspace's partition: read_committed readers cannot pass it until it ends,
 * exactly like an ingest instance dying mid-append. Holds the partition back until {@link #close()} aborts it.
 */
final class HangingTransaction implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;

    HangingTransaction(LogInspector log, String workspace) throws ExecutionException, InterruptedException {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, log.bootstrap());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-hanging-" + UUID.randomUUID());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producer = new KafkaProducer<>(config);
        producer.initTransactions();
        producer.beginTransaction();
        byte[] stray = DocsyncJson.mapper().writeValueAsBytes(new OperationEvent(OperationEvent.CURRENT_SCHEMA,
                UUID.randomUUID(), workspace, 0, 1, false, "ghost", Instant.now(), "x", OperationType.CREATE,
                "ghost-doc", null, DocumentData.EMPTY));
        producer.send(new ProducerRecord<>(log.topic(), workspace, stray)).get();
    }

    /** Aborts the transaction: its record never becomes visible, and the partition moves on. */
    @Override
    public void close() {
        try {
            producer.abortTransaction();
        } finally {
            producer.close();
        }
    }
}
