package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.contracts.BatchResult;
import dev.docsync.contracts.BatchStatus;
import dev.docsync.contracts.MergeInfo;
import dev.docsync.contracts.OperationResult;
import dev.docsync.contracts.OperationType;
import dev.docsync.contracts.ResultStatus;
import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.Body;
import dev.docsync.projection.apply.DocumentChange;
import dev.docsync.projection.apply.DocumentHead;
import dev.docsync.projection.apply.DocumentKey;
import dev.docsync.projection.apply.LogPosition;
import dev.docsync.projection.apply.ProjectionWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import dev.docsync.projection.replay.ReplaySchemas;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * The apply's writer on the real PostgreSQL: a chunk's rows go in one statement from arrays, and what deciding a
 * chunk needs comes back from one round trip. Both must write and read exactly what the batches say. They write
 * into a schema of their own: rows that are not from the log must not reach the live projection, which the replay
 * tests compare with the log.
 */
class ProjectionWriterIntegrationTest {

    private static final String SCHEMA = "writer_test_" + Math.floorMod(System.nanoTime(), 1_000_000);

    private static JdbcTemplate jdbc;

    private final ProjectionWriter writer = ProjectionWriter.withoutSignals(jdbc.getDataSource());
    private final String workspace = Batches.workspace("writer");
    private final Instant created = Instant.parse("2026-12-03T06:00:00.123Z");
    private final Instant edited = Instant.parse("2026-12-03T06:00:01.456Z");

    @BeforeAll
    static void createSchema() {
        TestStack stack = TestStack.get();
        new ReplaySchemas(new SimpleDriverDataSource(new org.postgresql.Driver(), stack.stack.jdbcUrl(),
                stack.stack.databaseUser(), "")).create(SCHEMA);
        String url = stack.stack.jdbcUrl() + (stack.stack.jdbcUrl().contains("?") ? "&" : "?") + "currentSchema="
                + SCHEMA;
        jdbc = TestStack.jdbc(url, stack.stack.databaseUser());
    }

    @AfterAll
    static void dropSchema() {
        jdbc.update("drop schema " + SCHEMA + " cascade");
    }

    @Test
    void aChunkOfTwoBatchesOnOneDocumentAndOneKeyWritesWhatEachSays() {
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        DocumentHead v1 = new DocumentHead("doc-1", workspace, 1, "one", Body.of("a\n").digest(), null, false,
                created, created, "alice");
        DocumentHead v2 = new DocumentHead("doc-1", workspace, 2, "two", Body.of("a\nb\n").digest(), null, false,
                created, edited, "alice");
        MergeInfo merge = new MergeInfo("diff3-lines/1", 1, List.of("content"), List.of(), null);
        AppliedBatch creating = batch(first, created, 7, change(v1, OperationType.CREATE, first, created, 7,
                Optional.empty(), "a\n")).withKeyClaim(new AppliedBatch.KeyClaim("alice", workspace, "key-1", "h1",
                first, created));
        // The same key again in the same chunk: a key reused after its retention; the later batch owns it.
        AppliedBatch merging = batch(second, edited, 8, change(v2, OperationType.UPDATE, second, edited, 8,
                Optional.of(merge), "a\nb\n")).withKeyClaim(new AppliedBatch.KeyClaim("alice", workspace, "key-1",
                "h2", second, edited));

        writer.write(List.of(creating, merging), edited);

        assertThat(jdbc.queryForMap("select version, title, created_at, updated_at from documents"
                + " where workspace_id = ? and document_id = 'doc-1'", workspace))
                .containsEntry("version", 2L).containsEntry("title", "two");
        assertThat(jdbc.queryForObject("select updated_at from documents where workspace_id = ?",
                java.sql.Timestamp.class, workspace).toInstant()).isEqualTo(edited);
        assertThat(jdbc.queryForList("select version, operation, merged_from, merge_algorithm, log_offset,"
                + " stamped_at from document_versions where workspace_id = ? order by version", workspace))
                .extracting(r -> List.of(r.get("version"), r.get("operation"), String.valueOf(r.get("merged_from")),
                        String.valueOf(r.get("merge_algorithm")), r.get("log_offset"),
                        ((java.sql.Timestamp) r.get("stamped_at")).toInstant()))
                .containsExactly(List.of(1L, "create", "null", "null", 7L, created),
                        List.of(2L, "update", "1", "diff3-lines/1", 8L, edited));
        assertThat(jdbc.queryForList("select batch_id from batch_results where workspace_id = ?"
                + " order by log_offset", UUID.class, workspace)).containsExactly(first, second);
        assertThat(jdbc.queryForObject("select results->0->>'status' from batch_results where batch_id = ?",
                String.class, second)).isEqualTo("success");
        assertThat(jdbc.queryForMap("select request_hash, batch_id from idempotency_keys"
                + " where actor = 'alice' and workspace_id = ? and key = 'key-1'", workspace))
                .containsEntry("request_hash", "h2").containsEntry("batch_id", second);
        assertThat(jdbc.queryForObject("select count(*) from document_bodies where workspace_id = ?",
                Long.class, workspace)).isEqualTo(2);
    }

    @Test
    void oneReadBringsThePositionTheAppliedBatchesTheHeadsAndTheKeys() {
        UUID applied = UUID.randomUUID();
        UUID fresh = UUID.randomUUID();
        DocumentHead head = new DocumentHead("doc-1", workspace, 1, "one", Body.of("x").digest(), null, false,
                created, created, "bob");
        writer.write(List.of(batch(applied, created, 3, change(head, OperationType.CREATE, applied, created, 3,
                Optional.empty(), "x")).withKeyClaim(new AppliedBatch.KeyClaim("bob", workspace, "k", "h", applied,
                created))), created);
        String group = "writer-test-" + workspace;
        jdbc.update("insert into consumer_offsets (consumer_group, topic, partition, next_offset)"
                + " values (?, 't', 4, 42)", group);

        ProjectionWriter.ChunkRead read = writer.readChunk(group, "t", 4, List.of(applied, fresh),
                List.of(new DocumentKey(workspace, "doc-1"), new DocumentKey(workspace, "absent")),
                List.of(List.of("bob", workspace, "k"), List.of("bob", workspace, "other")));

        assertThat(read.storedPosition()).hasValue(42);
        assertThat(read.applied()).containsExactly(applied);
        assertThat(read.heads()).containsOnlyKeys(new DocumentKey(workspace, "doc-1"));
        assertThat(read.heads().get(new DocumentKey(workspace, "doc-1"))).isEqualTo(head);
        assertThat(read.keys()).containsOnlyKeys(List.of("bob", workspace, "k"));
        assertThat(read.keys().get(List.of("bob", workspace, "k")).batchId()).isEqualTo(applied);
        assertThat(writer.readChunk(group, "t", 5, List.of(), List.of(), List.of()).storedPosition()).isEmpty();
    }

    private AppliedBatch batch(UUID batchId, Instant stampedAt, long offset, DocumentChange change) {
        OperationResult result = new OperationResult("c-" + offset, change.operation(), ResultStatus.SUCCESS,
                change.state().documentId(), change.state().version(), null, null);
        return new AppliedBatch(new BatchResult(batchId, workspace, BatchStatus.COMPLETED, false, 1, 1, 0,
                List.of(result), null), Map.of(), change.actor(), stampedAt, new LogPosition(4, offset),
                List.of(change));
    }

    private static DocumentChange change(DocumentHead state, OperationType operation, UUID batchId, Instant stampedAt,
            long offset, Optional<MergeInfo> merge, String content) {
        return new DocumentChange(state, List.of(Body.of(content)), operation, state.updatedBy(), batchId,
                "c-" + offset, stampedAt, new LogPosition(4, offset), 0, merge);
    }
}
