package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.docsync.projection.apply.ProjectionRetention;
import dev.docsync.projection.replay.ProjectionChecksums.TableComparison;
import dev.docsync.worker.replay.ReplayCommand;
import dev.docsync.worker.replay.ReplayReport;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * DESIGN §6.8: Idempotency-Keys, receipts and results are pruned after their retention and unreferenced bodies are
 * collected (by the apply-worker's retention job, which the test stack runs every second); a poll of a batch older
 * than the result retention says so; and replay still compares equal with a live projection that has pruned.
 */
class RetentionIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void whatIsPastItsRetentionIsPrunedAndWhatIsNotStays() {
        String ws = Batches.workspace("ws_retention");
        String token = stack.editor("keeper", ws);
        Api.Response kept = stack.api.postBatch(token, batch(ws, List.of(create("k", "kept", "Kept"))),
                Map.of("Idempotency-Key", "recent-key"));
        assertThat(kept.status()).isEqualTo(200);
        UUID keptBatch = UUID.fromString(kept.json().get("batch_id").asString());
        Api.Response pending = stack.api.postBatch(token, batch(ws, List.of(create("p", "pending", "Pending"))),
                Map.of("Prefer", "respond-async"));
        assertThat(pending.status()).isEqualTo(202);
        UUID pendingBatch = UUID.fromString(pending.json().get("batch_id").asString());

        // What a projection 30 days old holds (not in the log: rows as the apply-worker and ingest wrote them then).
        Instant old = Instant.now().minus(Duration.ofDays(30));
        UUID oldBatch = uuidV7(old);
        UUID oldReceipt = uuidV7(old.plusMillis(1));
        stack.jdbc.update("""
                insert into batch_results (batch_id, workspace_id, actor, atomic, total, successful, failed, results,
                                           stamped_at, applied_at, log_partition, log_offset)
                values (?, ?, 'keeper', false, 0, 0, 0, '[]', ?, ?, 0, 9223372036854775000)""",
                oldBatch, ws, Timestamp.from(old), Timestamp.from(old));
        stack.jdbc.update("""
                insert into batch_receipts (batch_id, workspace_id, actor, stamped_at, operation_count)
                values (?, ?, 'keeper', ?, 1)""", oldReceipt, ws, Timestamp.from(old));
        stack.jdbc.update("""
                insert into idempotency_keys (actor, workspace_id, key, request_hash, batch_id, stamped_at)
                values ('keeper', ?, 'old-key', 'hash', ?, ?)""", ws, oldBatch, Timestamp.from(old));
        stack.jdbc.update("insert into document_bodies (workspace_id, digest, body) values (?, 'orphan', 'nobody')",
                ws);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(count("batch_results where batch_id = ?", oldBatch)).as("old result").isZero();
            assertThat(count("batch_receipts where batch_id = ?", oldReceipt)).as("old receipt").isZero();
            assertThat(count("idempotency_keys where workspace_id = ? and key = 'old-key'", ws)).as("old key").isZero();
            assertThat(count("document_bodies where workspace_id = ? and digest = 'orphan'", ws)).as("orphan body")
                    .isZero();
        });

        assertThat(count("batch_results where batch_id = ?", keptBatch)).as("a recent result").isOne();
        assertThat(count("batch_receipts where batch_id = ?", pendingBatch)).as("a recent receipt").isOne();
        assertThat(count("idempotency_keys where workspace_id = ? and key = 'recent-key'", ws)).isOne();
        assertThat(count("document_bodies where workspace_id = ?", ws)).as("bodies of the documents").isPositive();
        assertThat(stack.api.document(token, ws, "kept").json().get("content").asString()).isEqualTo("# Kept");
        assertThat(stack.jdbc.queryForObject(
                "select pruned_before from retention_horizons where name = 'batch_results'", Timestamp.class)
                .toInstant()).as("the recorded horizon covers the pruned result").isAfter(old);

        Api.Response expired = stack.api.get(token, "/api/v1/batches/" + oldBatch);
        assertThat(expired.status()).isEqualTo(404);
        assertThat(expired.json().get("type").asString()).isEqualTo("https://docsync.dev/problems/batch-expired");
        assertThat(expired.json().get("detail").asString()).contains("kept for", "pruned");
        Api.Response unknown = stack.api.get(token, "/api/v1/batches/" + uuidV7(Instant.now()));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("type").asString()).isEqualTo("https://docsync.dev/problems/not-found");
    }

    /**
     * A live projection that pruned results still compares equal with a replay, which rebuilds them all: the
     * comparison leaves out what live has pruned (results stamped before its recorded horizon).
     */
    @Test
    void replayComparesEqualAfterResultsArePruned() {
        String ws = Batches.workspace("ws_retention_replay");
        String token = stack.editor("pruned", ws);
        for (int i = 0; i < 3; i++) {
            assertThat(stack.api.postBatch(token, batch(ws, List.of(create("c" + i, "d" + i, "Doc " + i)))).status())
                    .isEqualTo(200);
        }
        Instant first = stack.jdbc.queryForObject(
                "select min(stamped_at) from batch_results where workspace_id = ?", Timestamp.class, ws).toInstant();
        // As the retention job does when the results retention has passed since the first of them.
        TransactionTemplate transaction = new TransactionTemplate(
                new DataSourceTransactionManager(stack.jdbc.getDataSource()));
        Integer pruned = transaction.execute(status -> new ProjectionRetention(JdbcClient.create(stack.jdbc))
                .pruneResults(first.plusMillis(1), 100_000));
        assertThat(pruned).isPositive();
        assertThat(count("batch_results where workspace_id = ?", ws)).isEqualTo(2);

        ReplayCommand.Report report = stack.stack.worker().getBean(ReplayCommand.class)
                .run(new ReplayCommand.Options(false, false));

        System.out.println(ReplayReport.format(report));
        assertThat(report.tables()).allSatisfy(table -> assertThat(table.firstDifference()).as(table.table()).isNull());
        assertThat(report.tables()).extracting(TableComparison::equal).containsOnly(true);
    }

    private long count(String fromWhere, Object... args) {
        return stack.jdbc.queryForObject("select count(*) from " + fromWhere, Long.class, args);
    }

    private static UUID uuidV7(Instant at) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (at.toEpochMilli() << 16) | 0x7000L | random.nextLong(0x1000);
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }
}
