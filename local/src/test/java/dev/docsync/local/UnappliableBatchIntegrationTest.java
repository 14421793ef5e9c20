package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.EventHeaders;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationType;
import dev.docsync.projection.apply.ProjectionRetention;
import dev.docsync.projection.batches.ResultRetention;
import dev.docsync.projection.replay.ProjectionChecksums.TableComparison;
import dev.docsync.worker.replay.ReplayCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
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
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * DESIGN §6.7 with events that bypass ingest (produced straight to the topic): a batch PostgreSQL refuses for a
 * reason in its data is rejected alone ({@code unappliable}), dead-lettered, and its partition moves on while
 * other workspaces of that partition keep writing; replay decides the same.
 */
class UnappliableBatchIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void batchesTheProjectionRefusesAreRejectedAloneAndTheirPartitionKeepsApplying() throws Exception {
        String ws = Batches.workspace("ws_refused");
        int partition = LogInspector.partitionOf(ws);
        String neighbour = PartitionProbe.workspaceOn(partition, "ws_neighbour");
        Map<String, List<OperationEvent>> poison = new LinkedHashMap<>();
        poison.put("NUL in a title (data exception)", List.of(event(ws, "t1", "c1", "a\u0000b", "x")));
        poison.put("NUL in a client_id", List.of(event(ws, "t2", "c\u00002", "t", "x")));
        poison.put("NUL in a document_id", List.of(event(ws, "t\u00003", "c3", "t", "x")));
        poison.put("an id over the index row limit (program limit)",
                List.of(event(ws, randomId(8000), "c4", "t", "x")));
        poison.put("a stamp out of PostgreSQL's range", List.of(new OperationEvent(1, UUID.randomUUID(), ws, 0, 1,
                false, "robot", Instant.parse("+300000-01-01T00:00:00Z"), "c5", OperationType.CREATE, "t5", null,
                new DocumentData("t", "x", null))));
        poison.put("one bad operation among good ones", batchOf(ws, false,
                new String[] {"fine-1", "fine-2", "t6"}, new String[] {"ok", "ok", "nul\u0000content"}));

        try (KafkaProducer<String, byte[]> producer = stack.log.plainProducer()) {
            for (List<OperationEvent> events : poison.values()) {
                for (OperationEvent event : events) {
                    producer.send(record(event)).get();
                }
            }
        }
        Api.Response neighbourWrite = stack.api.postBatch(stack.editor("n", neighbour),
                batch(neighbour, List.of(create("n1", "after-poison", "N"))), Map.of("Prefer", "wait=20"));

        assertThat(neighbourWrite.status()).as(neighbourWrite.text()).isEqualTo(200);
        assertThat(neighbourWrite.json().get("successful").asInt()).isEqualTo(1);
        String reader = stack.token("auditor", Map.of(ws, "viewer"));
        assertRejected(reader, poison);
        // The retention job as it runs when the results retention has passed since now (TestStack runs it every
        // second anyway): a refused batch's result is kept for the whole retention, whatever its stamp.
        Duration retention = stack.stack.worker().getBean(ResultRetention.class).results();
        new TransactionTemplate(new DataSourceTransactionManager(stack.jdbc.getDataSource())).executeWithoutResult(
                status -> new ProjectionRetention(JdbcClient.create(stack.jdbc))
                        .pruneResults(Instant.now().minus(retention), 100_000));
        assertRejected(reader, poison);
        assertThat(stack.api.document(reader, ws, "fine-1").status()).as("nothing of a refused batch applies")
                .isEqualTo(404);
        Set<String> deadBatches = deadLetteredBatchIds(partition, poison.size());
        poison.values().forEach(events -> assertThat(deadBatches).contains(events.getFirst().batchId().toString()));
        PartitionProbe.assertEveryPartitionApplies(stack);

        ReplayCommand.Report replay = stack.stack.worker().getBean(ReplayCommand.class)
                .run(new ReplayCommand.Options(false, false));

        for (TableComparison table : replay.tables()) {
            assertThat(table.equal()).as(table.table() + ": " + table.firstDifference()).isTrue();
        }
    }

    /** Every batch of {@code poison} answers its poll as completed with every operation {@code unappliable}. */
    private void assertRejected(String reader, Map<String, List<OperationEvent>> poison) {
        poison.forEach((kind, events) -> {
            Api.Response polled = stack.api.get(reader, "/api/v1/batches/" + events.getFirst().batchId());
            assertThat(polled.status()).as(kind + ": " + polled.text()).isEqualTo(200);
            JsonNode result = polled.json();
            assertThat(result.get("status").asString()).as(kind).isEqualTo("completed");
            assertThat(result.get("successful").asInt()).as(kind).isZero();
            assertThat(result.get("failed").asInt()).as(kind).isEqualTo(events.size());
            for (JsonNode op : result.get("results")) {
                assertThat(op.get("status").asString()).as(kind).isEqualTo("error");
                assertThat(op.get("error").get("code").asString()).as(kind).isEqualTo("unappliable");
            }
        });
    }

    private static OperationEvent event(String ws, String documentId, String clientId, String title, String content) {
        return new OperationEvent(1, UUID.randomUUID(), ws, 0, 1, false, "robot",
                Instant.now().truncatedTo(ChronoUnit.MILLIS), clientId, OperationType.CREATE, documentId, null,
                new DocumentData(title, content, null));
    }

    /** Random letters, so that PostgreSQL cannot compress the index entry below its row size limit. */
    private static String randomId(int length) {
        java.util.Random random = new java.util.Random(7);
        StringBuilder id = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            id.append((char) ('a' + random.nextInt(26)));
        }
        return id.toString();
    }

    private static List<OperationEvent> batchOf(String ws, boolean atomic, String[] ids, String[] contents) {
        UUID batchId = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<OperationEvent> events = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            events.add(new OperationEvent(1, batchId, ws, i, ids.length, atomic, "robot", now, "op" + i,
                    OperationType.CREATE, ids[i], null, new DocumentData("t", contents[i], null)));
        }
        return events;
    }

    private ProducerRecord<String, byte[]> record(OperationEvent event) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(stack.log.topic(), event.workspaceId(),
                DocsyncJson.mapper().writeValueAsBytes(event));
        record.headers().add(EventHeaders.BATCH_ID, event.batchId().toString().getBytes(StandardCharsets.UTF_8))
                .add(EventHeaders.SEQ, String.valueOf(event.seq()).getBytes(StandardCharsets.UTF_8))
                .add(EventHeaders.COUNT, String.valueOf(event.count()).getBytes(StandardCharsets.UTF_8));
        return record;
    }

    /** Batch ids of the dead letters on {@code partition} whose reason says they were unappliable. */
    private Set<String> deadLetteredBatchIds(int partition, int atLeast) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.log.bootstrap());
        Set<String> found = new HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(stack.log.topic() + "-dlt", partition);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    var reason = record.headers().lastHeader("kafka_dlt-exception-message");
                    if (reason != null && new String(reason.value(), StandardCharsets.UTF_8).contains("unappliable")) {
                        found.add(DocsyncJson.mapper().readTree(record.value()).get("batch_id").asString());
                    }
                }
                return found.size() >= atLeast;
            });
        }
        return found;
    }
}
