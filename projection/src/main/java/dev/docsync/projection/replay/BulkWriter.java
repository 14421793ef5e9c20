package dev.docsync.projection.replay;

import dev.docsync.projection.Rows;
import dev.docsync.projection.TransactionConnection;
import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.Body;
import dev.docsync.projection.apply.DocumentChange;
import dev.docsync.projection.apply.DocumentHead;
import dev.docsync.projection.apply.DocumentKey;
import dev.docsync.projection.apply.ProjectionWriter;
import java.io.IOException;
import java.io.StringReader;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.SqlArrayValue;

/**
 * What a replay writes, in bulk: history and batch results with {@code COPY}, documents and bodies in one statement
 * each (arrays); the same rows as {@link ProjectionWriter#write} writes. Values PostgreSQL might take differently from a {@code COPY} than from the live writer's bound
 * parameters (a NUL or a lone surrogate in a text, a time outside the years 1–9999, a NUL escape in a result) send
 * the whole write through the live writer instead, so both accept and refuse exactly the same writes.
 */
public final class BulkWriter {

    private static final String UPSERT_DOCUMENTS = """
            insert into documents (workspace_id, document_id, version, title, content_digest, yjs_digest, deleted,
                                   created_at, updated_at, updated_by)
            select * from unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::boolean[],
                                 ?::text[]::timestamptz[], ?::text[]::timestamptz[], ?::text[])
            on conflict (workspace_id, document_id) do update
               set version = excluded.version, title = excluded.title, content_digest = excluded.content_digest,
                   yjs_digest = excluded.yjs_digest, deleted = excluded.deleted,
                   updated_at = excluded.updated_at, updated_by = excluded.updated_by""";

    /** Bodies are keyed by digest: one stored already (by an earlier chunk) is the same text. */
    private static final String INSERT_BODIES = """
            insert into document_bodies (workspace_id, digest, body)
            select * from unnest(?::text[], ?::text[], ?::text[])
            on conflict (workspace_id, digest) do nothing""";

    private static final String COPY_VERSIONS = """
            copy document_versions (workspace_id, document_id, version, operation, actor, batch_id, client_id,
                                    stamped_at, title, content_digest, yjs_digest, deleted, log_partition, log_offset,
                                    apply_index, merged_from, merge_algorithm) from stdin""";

    private static final String COPY_RESULTS = """
            copy batch_results (batch_id, workspace_id, actor, atomic, total, successful, failed, results, stamped_at,
                                applied_at, log_partition, log_offset, duplicate_of) from stdin""";

    private static final String CLAIM_KEY = """
            insert into idempotency_keys (actor, workspace_id, key, request_hash, batch_id, stamped_at)
            values (?, ?, ?, ?, ?, ?)
            on conflict (actor, workspace_id, key) do update
               set request_hash = excluded.request_hash, batch_id = excluded.batch_id,
                   stamped_at = excluded.stamped_at""";

    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    /** Key claims per JDBC batch. */
    private static final int CLAIMS_PER_BATCH = 500;

    private final JdbcClient jdbc;
    /** The same database as {@link #jdbc}: COPY and the batch of key claims run on its transaction's connection. */
    private final DataSource dataSource;
    private final ProjectionWriter live;

    BulkWriter(DataSource dataSource, ProjectionWriter live) {
        this.jdbc = JdbcClient.create(dataSource);
        this.dataSource = dataSource;
        this.live = live;
    }

    /** Writes as {@link ProjectionWriter#write} does, in bulk unless a value needs the live writer's statements. */
    public void write(List<AppliedBatch> batches, Instant appliedAt) {
        List<String> results = new ArrayList<>(batches.size());
        for (AppliedBatch batch : batches) {
            results.add(ProjectionWriter.storedResults(batch));
        }
        if (!plain(batches, results, appliedAt)) {
            live.write(batches, appliedAt);
            return;
        }
        Map<DocumentKey, DocumentHead> finalStates = new LinkedHashMap<>();
        Map<List<String>, String> bodies = new LinkedHashMap<>();
        StringBuilder versions = new StringBuilder();
        for (AppliedBatch batch : batches) {
            for (DocumentChange change : batch.changes()) {
                DocumentHead d = change.state();
                finalStates.put(new DocumentKey(d.workspaceId(), d.documentId()), d);
                for (Body body : change.bodies()) {
                    bodies.putIfAbsent(List.of(d.workspaceId(), body.digest()), body.text());
                }
                Row row = new Row(versions).text(d.workspaceId()).text(d.documentId()).number(d.version())
                        .text(change.operation().wire()).text(change.actor()).object(change.batchId())
                        .text(change.clientId()).time(change.stampedAt()).text(d.title()).text(d.contentDigest())
                        .text(d.yjsDigest()).bool(d.deleted()).number(change.position().partition())
                        .number(change.position().offset()).number(change.applyIndex());
                if (change.merge().isPresent()) {
                    row.number(change.merge().get().fromBaseVersion()).text(change.merge().get().algorithm());
                } else {
                    row.object(null).object(null);
                }
                row.end();
            }
        }
        StringBuilder resultRows = new StringBuilder();
        // Wall-clock time (not a function of the log, not compared), to the microsecond PostgreSQL keeps.
        Instant applied = appliedAt.truncatedTo(ChronoUnit.MICROS);
        for (int i = 0; i < batches.size(); i++) {
            AppliedBatch b = batches.get(i);
            new Row(resultRows).object(b.result().batchId()).text(b.result().workspaceId()).text(b.actor())
                    .bool(b.result().atomic()).number(b.result().total()).number(b.result().successful())
                    .number(b.result().failed()).text(results.get(i)).time(b.stampedAt()).time(applied)
                    .number(b.position().partition()).number(b.position().offset()).object(b.duplicateOf().orElse(null)).end();
        }
        if (!bodies.isEmpty()) {
            List<List<String>> keys = List.copyOf(bodies.keySet());
            jdbc.sql(INSERT_BODIES).params(texts(keys, List::getFirst), texts(keys, List::getLast),
                    texts(keys, bodies::get)).update();
        }
        if (!finalStates.isEmpty()) {
            List<DocumentHead> heads = List.copyOf(finalStates.values());
            jdbc.sql(UPSERT_DOCUMENTS).params(texts(heads, DocumentHead::workspaceId),
                    texts(heads, DocumentHead::documentId),
                    new SqlArrayValue("bigint", heads.stream().map(DocumentHead::version).toArray()),
                    texts(heads, DocumentHead::title), texts(heads, DocumentHead::contentDigest),
                    texts(heads, DocumentHead::yjsDigest),
                    new SqlArrayValue("boolean", heads.stream().map(DocumentHead::deleted).toArray()),
                    texts(heads, d -> time(d.createdAt())), texts(heads, d -> time(d.updatedAt())),
                    texts(heads, DocumentHead::updatedBy)).update();
        }
        // COPY needs the driver's own connection, and JdbcClient has no batches: both on the transaction's
        // connection, as JdbcClient's statements are.
        TransactionConnection.run(dataSource, null, connection -> {
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            if (versions.length() > 0) {
                copy(copy, COPY_VERSIONS, versions);
            }
            if (!batches.isEmpty()) {
                copy(copy, COPY_RESULTS, resultRows);
            }
            return null;
        });
        List<AppliedBatch.KeyClaim> claims = batches.stream().flatMap(b -> b.keyClaim().stream()).toList();
        if (!claims.isEmpty()) {
            TransactionConnection.prepared(dataSource, CLAIM_KEY, List.of(), ps -> {
                for (int i = 0; i < claims.size(); i++) {
                    AppliedBatch.KeyClaim k = claims.get(i);
                    ps.setString(1, k.actor());
                    ps.setString(2, k.workspaceId());
                    ps.setString(3, k.key());
                    ps.setString(4, k.requestHash());
                    ps.setObject(5, k.batchId());
                    ps.setTimestamp(6, Rows.timestamp(k.stampedAt()));
                    ps.addBatch();
                    if ((i + 1) % CLAIMS_PER_BATCH == 0 || i + 1 == claims.size()) {
                        ps.executeBatch();
                    }
                }
                return null;
            });
        }
    }

    private static <R> SqlArrayValue texts(List<R> rows, Function<R, String> value) {
        return new SqlArrayValue("text", rows.stream().map(value).toArray());
    }

    /** A time as both COPY and a text cast read it: ISO-8601 in UTC, to the microsecond. */
    private static String time(Instant value) {
        return value == null ? null : value.truncatedTo(ChronoUnit.MICROS).toString();
    }

    private static void copy(CopyManager copy, String sql, StringBuilder rows) throws SQLException {
        try {
            copy.copyIn(sql, new StringReader(rows.toString()));
        } catch (IOException e) {
            throw new SQLException("COPY from memory failed", "08000", e);
        }
    }

    /** True when every value of the write is one a COPY takes exactly as the live writer's parameters. */
    static boolean plain(List<AppliedBatch> batches, List<String> results, Instant appliedAt) {
        if (appliedAt.isBefore(EARLIEST) || appliedAt.isAfter(LATEST)) {
            return false;
        }
        for (String result : results) {
            if (!plain(result) || result.contains("\\u0000")) {
                return false;
            }
        }
        for (AppliedBatch b : batches) {
            if (!plain(b.actor()) || !plain(b.result().workspaceId()) || !plain(b.stampedAt())) {
                return false;
            }
            if (b.keyClaim().isPresent() && !plain(b.keyClaim().get().stampedAt())) {
                return false;
            }
            for (DocumentChange c : b.changes()) {
                DocumentHead d = c.state();
                if (!plain(d.workspaceId()) || !plain(d.documentId()) || !plain(d.title())
                        || !plain(d.contentDigest()) || !plain(d.yjsDigest()) || !plain(d.updatedBy())
                        || !plain(c.actor()) || !plain(c.clientId()) || !plain(c.stampedAt())
                        || !plain(d.createdAt()) || !plain(d.updatedAt())) {
                    return false;
                }
                if (c.merge().isPresent() && !plain(c.merge().get().algorithm())) {
                    return false;
                }
                for (Body body : c.bodies()) {
                    if (!plain(body.text())) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static boolean plain(Instant time) {
        return time == null || (!time.isBefore(EARLIEST) && !time.isAfter(LATEST)
                && time.getNano() % 1000 == 0);
    }

    /** No NUL and no lone surrogate: a text both ways encode and store the same. */
    static boolean plain(String text) {
        if (text == null) {
            return true;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** One row of COPY's text format: tab-separated, {@code \N} for null, backslash escapes. */
    private static final class Row {
        private final StringBuilder out;
        private boolean first = true;

        Row(StringBuilder out) {
            this.out = out;
        }

        private StringBuilder next() {
            if (!first) {
                out.append('\t');
            }
            first = false;
            return out;
        }

        Row text(String value) {
            if (value == null) {
                next().append("\\N");
                return this;
            }
            StringBuilder b = next();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> b.append(c);
                }
            }
            return this;
        }

        Row number(long value) {
            next().append(value);
            return this;
        }

        Row bool(boolean value) {
            next().append(value ? 't' : 'f');
            return this;
        }

        Row object(Object value) {
            if (value == null) {
                next().append("\\N");
            } else {
                next().append(value);
            }
            return this;
        }

        Row time(Instant value) {
            return value == null ? object(null) : object(value.truncatedTo(ChronoUnit.MICROS));
        }

        void end() {
            out.append('\n');
        }
    }
}
