package dev.docsync.ingest.batch;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.EventHeaders;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.ingest.IngestProperties;
import dev.docsync.log.TopicProperties;
import dev.docsync.ingest.web.ApiProblem;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;

/**
 * The one owner of the producer: appends a stamped batch to the operations topic as one Kafka transaction
 * (idempotent, acks=all), key = workspace id so a workspace stays on one partition and in order. Returns only
 * once the transaction is committed; any failure becomes a 503 with Retry-After and leaves nothing visible to
 * read_committed consumers.
 */
@Component
class OperationLog {

    private static final Logger log = LoggerFactory.getLogger(OperationLog.class);

    private final KafkaTemplate<String, byte[]> kafka;
    private final TopicProperties topic;
    private final IngestProperties properties;

    OperationLog(KafkaTemplate<String, byte[]> kafka, TopicProperties topic, IngestProperties properties) {
        this.kafka = kafka;
        this.topic = topic;
        this.properties = properties;
    }

    void append(StampedBatch batch) {
        try {
            List<CompletableFuture<SendResult<String, byte[]>>> sent = kafka.executeInTransaction(
                    ops -> batch.events().stream().map(event -> ops.send(record(event))).toList());
            // Committed means every send succeeded; looking at each result keeps that an explicit check.
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } catch (KafkaException | ExecutionException | TimeoutException e) {
            log.warn("Appending batch {} failed: {}", batch.batchId(), e.toString());
            throw ApiProblem.unavailable("the operations log is unavailable; retry later", properties.retryAfter());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiProblem.unavailable("interrupted while appending to the log", properties.retryAfter());
        }
    }

    private ProducerRecord<String, byte[]> record(OperationEvent event) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic.name(), event.workspaceId(),
                DocsyncJson.mapper().writeValueAsBytes(event));
        record.headers()
                .add(EventHeaders.BATCH_ID, event.batchId().toString().getBytes(StandardCharsets.UTF_8))
                .add(EventHeaders.SEQ, String.valueOf(event.seq()).getBytes(StandardCharsets.UTF_8))
                .add(EventHeaders.COUNT, String.valueOf(event.count()).getBytes(StandardCharsets.UTF_8));
        return record;
    }
}
