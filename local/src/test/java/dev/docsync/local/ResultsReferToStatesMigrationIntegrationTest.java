package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.projection.batches.BatchReader;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import tools.jackson.databind.JsonNode;

/**
 * Results stored before issue 19 carry a full copy of {@code current}. V6 turns each copy that is exactly a version
 * of the history into a reference, which the answer reads back as it was; a copy of a state that was never
 * written stays as it is and still answers.
 */
class ResultsReferToStatesMigrationIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void oldResultsWithFullCopiesBecomeReferencesAndStillAnswerTheSame() {
        String schema = "v6_" + UUID.randomUUID().toString().substring(0, 8);
        DataSource data = new SimpleDriverDataSource(new org.postgresql.Driver(),
                stack.stack.jdbcUrl() + (stack.stack.jdbcUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema,
                stack.stack.databaseUser(), "");
        Flyway.configure().dataSource(data).schemas(schema).createSchemas(true).target("5").load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(data);
        jdbc.update("""
                insert into document_bodies (workspace_id, digest, body)
                values ('ws', encode(sha256(convert_to('# C', 'UTF8')), 'hex'), '# C')""");
        for (int version = 1; version <= 2; version++) {
            jdbc.update("""
                    insert into document_versions (workspace_id, document_id, version, operation, actor, batch_id,
                        client_id, stamped_at, title, content_digest, yjs_digest, deleted, log_partition, log_offset,
                        apply_index)
                    values ('ws', 'd', ?, 'update', 'a', gen_random_uuid(), 'c', timestamptz '2026-11-01 10:00:00Z'
                        + make_interval(mins => ?), ?, encode(sha256(convert_to('# C', 'UTF8')), 'hex'), null,
                        false, 0, ?, 0)""", version, version, "T" + version, version);
        }
        UUID batchId = UUID.randomUUID();
        String current = """
                {"document_id": "d", "workspace_id": "ws", "version": %d, "title": "%s", "content": "# C",
                 "yjs_state_b64": null, "deleted": false, "created_at": "2026-11-01T10:01:00.000Z",
                 "updated_at": "2026-11-01T10:02:00.000Z", "updated_by": "a"}""";
        String oldResults = """
                [{"client_id": "stale", "operation": "update", "status": "conflict", "document_id": "d", "version": 2,
                  "error": {"code": "version_conflict", "message": "base_version 1, current version 2"},
                  "current": %s},
                 {"client_id": "phantom", "operation": "update", "status": "conflict", "document_id": "d",
                  "version": 3, "error": {"code": "version_conflict", "message": "base_version 1, current version 3"},
                  "current": %s},
                 {"client_id": "ok", "operation": "update", "status": "success", "document_id": "e", "version": 4}]"""
                .formatted(current.formatted(2, "T2"), current.formatted(3, "never written"));
        jdbc.update("""
                insert into batch_results (batch_id, workspace_id, actor, atomic, total, successful, failed, results,
                                           stamped_at, applied_at, log_partition, log_offset)
                values (?, 'ws', 'a', false, 3, 1, 2, ?::jsonb, now(), now(), 0, 9)""", batchId, oldResults);
        long before = jdbc.queryForObject("select pg_column_size(results) from batch_results", Long.class);

        Flyway.configure().dataSource(data).schemas(schema).load().migrate();

        JsonNode stored = DocsyncJson.mapper().readTree(
                jdbc.queryForObject("select results::text from batch_results", String.class));
        assertThat(stored.get(0).has("current")).isFalse();
        assertThat(stored.get(0).get("current_ref")).isEqualTo(
                DocsyncJson.mapper().readTree("{\"document_id\": \"d\", \"version\": 2}"));
        assertThat(stored.get(1).get("current").get("title").asString()).isEqualTo("never written");
        assertThat(stored.get(2).has("current_ref")).isFalse();
        System.out.printf("V6 migrated a result with a copy from %d to %d bytes%n", before,
                jdbc.queryForObject("select pg_column_size(results) from batch_results", Long.class));

        JsonNode answered = DocsyncJson.mapper().readTree(
                new BatchReader(JdbcClient.create(data)).findApplied(batchId).orElseThrow().answer().results());
        assertThat(answered.get(0).get("current")).isEqualTo(
                DocsyncJson.mapper().readTree(current.formatted(2, "T2")));
        assertThat(answered.get(0).has("current_ref")).isFalse();
        assertThat(answered.get(1).get("current").get("title").asString()).isEqualTo("never written");
        assertThat(answered.get(2).get("status").asString()).isEqualTo("success");
        stack.jdbc.execute("drop schema " + schema + " cascade");
    }
}
