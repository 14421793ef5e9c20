package dev.docsync.projection.apply;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.OperationResult;
import dev.docsync.projection.Rows;
import dev.docsync.projection.signals.BatchSignals;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The write side of the projection, used only by the apply-worker inside its apply transaction. Each statement
 * is sent once whatever the number of rows (array parameters and batched statements). It reads no bodies but
 * those a three-way merge asks for: it writes those the changes bring, and documents and versions refer to bodies
 * by digest.
 */
@Repository
public class ProjectionWriter {

    /** Current documents without their bodies: deciding needs versions, flags, titles and digests only. */
    private static final String LOAD_HEADS = """
            select workspace_id, document_id, version, title, content_digest, yjs_digest, deleted, created_at,
                   updated_at, updated_by
              from documents
             where (workspace_id, document_id) in (select * from unnest(?::text[], ?::text[]))""";

    /** A version's state from history without its bodies (created_at is version 1's stamp), for a merge's base. */
    private static final String LOAD_VERSION_HEAD = """
            select v.workspace_id, v.document_id, v.version, v.title, v.content_digest, v.yjs_digest, v.deleted,
                   c.stamped_at as created_at, v.stamped_at as updated_at, v.actor as updated_by
              from document_versions v
              join document_versions c
                on c.workspace_id = v.workspace_id and c.document_id = v.document_id and c.version = 1
             where v.workspace_id = ? and v.document_id = ? and v.version = ?""";

    /** Sizes first: {@code octet_length} does not read (decompress) the body. */
    private static final String BODY_SIZES = """
            select digest, octet_length(body) as bytes from document_bodies
             where workspace_id = ? and digest = any(?)""";

    private static final String LOAD_BODIES = """
            select digest, body from document_bodies where workspace_id = ? and digest = any(?)""";

    private static final String APPLIED_BATCHES = "select batch_id from batch_results where batch_id = any(?)";

    private static final String UPSERT_DOCUMENT = """
            insert into documents (workspace_id, document_id, version, title, content_digest, yjs_digest, deleted,
                                   created_at, updated_at, updated_by)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            on conflict (workspace_id, document_id) do update
               set version = excluded.version, title = excluded.title, content_digest = excluded.content_digest,
                   yjs_digest = excluded.yjs_digest, deleted = excluded.deleted,
                   updated_at = excluded.updated_at, updated_by = excluded.updated_by""";

    /**
     * The bodies this chunk relies on are locked (key share) until it commits, so that the retention job
     * ({@link ProjectionRetention}) cannot collect a body between this transaction finding it and referring to it.
     */
    private static final String STORED_BODIES = """
            select workspace_id, digest from document_bodies
             where (workspace_id, digest) in (select * from unnest(?::text[], ?::text[]))
               for key share""";

    /** An existing body is locked, not rewritten: {@code do update ... where false} locks the conflicting row. */
    private static final String INSERT_BODIES = """
            insert into document_bodies (workspace_id, digest, body)
            select * from unnest(?::text[], ?::text[], ?::text[])
            on conflict (workspace_id, digest) do update set digest = excluded.digest where false""";

    /** Above this many bytes of bodies in a chunk, ask which are stored before sending them. */
    private static final long LOOK_BEFORE_SENDING_BYTES = 64 * 1024;

    private static final String INSERT_VERSION = """
            insert into document_versions (workspace_id, document_id, version, operation, actor, batch_id,
                                           client_id, stamped_at, title, content_digest, yjs_digest, deleted,
                                           log_partition, log_offset, apply_index, merged_from,
                                           merge_algorithm)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    private static final String INSERT_RESULT = """
            insert into batch_results (batch_id, workspace_id, actor, atomic, total, successful, failed, results,
                                       stamped_at, applied_at, log_partition, log_offset, duplicate_of)
            values (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?)""";

    private static final String LOAD_KEYS = """
            select actor, workspace_id, key, request_hash, batch_id, stamped_at
              from idempotency_keys
             where (actor, workspace_id, key) in (select * from unnest(?::text[], ?::text[], ?::text[]))""";

    private static final String CLAIM_KEY = """
            insert into idempotency_keys (actor, workspace_id, key, request_hash, batch_id, stamped_at)
            values (?, ?, ?, ?, ?, ?)
            on conflict (actor, workspace_id, key) do update
               set request_hash = excluded.request_hash, batch_id = excluded.batch_id,
                   stamped_at = excluded.stamped_at""";

    private final JdbcTemplate jdbc;
    private final Optional<BatchSignals> signals;

    /** The apply-worker's writer: what it writes is announced on commit ({@link BatchSignals}). */
    @Autowired
    public ProjectionWriter(JdbcTemplate jdbc, BatchSignals signals) {
        this.jdbc = jdbc;
        this.signals = Optional.of(signals);
    }

    /** A writer that announces nothing (see {@link #withoutSignals}; also for tests that stand in for it). */
    protected ProjectionWriter(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.signals = Optional.empty();
    }

    /** A writer that does not NOTIFY: for rebuilding a projection nobody waits on (replay). */
    public static ProjectionWriter withoutSignals(JdbcTemplate jdbc) {
        return new ProjectionWriter(jdbc);
    }

    /** The current state of each of {@code keys} that exists, without its bodies. */
    public Map<DocumentKey, DocumentHead> loadHeads(Collection<DocumentKey> keys) {
        if (keys.isEmpty()) {
            return Map.of();
        }
        List<String> workspaces = keys.stream().map(DocumentKey::workspaceId).toList();
        List<String> documents = keys.stream().map(DocumentKey::documentId).toList();
        Map<DocumentKey, DocumentHead> found = new HashMap<>();
        jdbc.query(LOAD_HEADS, ps -> {
            ps.setArray(1, textArray(ps.getConnection(), workspaces));
            ps.setArray(2, textArray(ps.getConnection(), documents));
        }, rs -> {
            DocumentHead head = head(rs);
            found.put(new DocumentKey(head.workspaceId(), head.documentId()), head);
        });
        return found;
    }

    private static DocumentHead head(ResultSet rs) throws SQLException {
        return new DocumentHead(rs.getString("document_id"), rs.getString("workspace_id"), rs.getLong("version"),
                rs.getString("title"), rs.getString("content_digest"), rs.getString("yjs_digest"),
                rs.getBoolean("deleted"), Rows.instant(rs, "created_at"), Rows.instant(rs, "updated_at"),
                rs.getString("updated_by"));
    }

    /**
     * The document's state at {@code version} as the projection holds it (in this transaction), without its bodies:
     * the base of a three-way merge. Empty for a version that does not exist.
     */
    public Optional<DocumentHead> loadVersionHead(DocumentKey key, long version) {
        List<DocumentHead> found = jdbc.query(LOAD_VERSION_HEAD, (rs, n) -> head(rs), key.workspaceId(),
                key.documentId(), version);
        return found.stream().findFirst();
    }

    /** The UTF-8 size in bytes of each stored body of {@code digests} in the workspace (absent: not stored). */
    public Map<String, Long> bodySizes(String workspaceId, Collection<String> digests) {
        Map<String, Long> sizes = new HashMap<>();
        if (!digests.isEmpty()) {
            jdbc.query(BODY_SIZES, ps -> {
                ps.setString(1, workspaceId);
                ps.setArray(2, textArray(ps.getConnection(), List.copyOf(digests)));
            }, rs -> {
                sizes.put(rs.getString("digest"), rs.getLong("bytes"));
            });
        }
        return sizes;
    }

    /**
     * The text of each stored body of {@code digests} in the workspace: only a three-way merge reads bodies (base
     * and current content that both sides changed), and only after asking their sizes.
     */
    public Map<String, String> loadBodies(String workspaceId, Collection<String> digests) {
        Map<String, String> bodies = new HashMap<>();
        if (!digests.isEmpty()) {
            jdbc.query(LOAD_BODIES, ps -> {
                ps.setString(1, workspaceId);
                ps.setArray(2, textArray(ps.getConnection(), List.copyOf(digests)));
            }, rs -> {
                bodies.put(rs.getString("digest"), rs.getString("body"));
            });
        }
        return bodies;
    }

    public Set<UUID> appliedBatchIds(Collection<UUID> batchIds) {
        if (batchIds.isEmpty()) {
            return Set.of();
        }
        Set<UUID> applied = new HashSet<>();
        jdbc.query(APPLIED_BATCHES,
                ps -> ps.setArray(1, ps.getConnection().createArrayOf("uuid", batchIds.toArray())),
                rs -> {
                    applied.add(rs.getObject(1, UUID.class));
                });
        return applied;
    }

    /** The Idempotency-Keys already owned, by {@link AppliedBatch.KeyClaim#scope() (actor, workspace, key)}. */
    public Map<List<String>, AppliedBatch.KeyClaim> loadKeys(Collection<List<String>> actorKeys) {
        if (actorKeys.isEmpty()) {
            return Map.of();
        }
        Map<List<String>, AppliedBatch.KeyClaim> found = new HashMap<>();
        jdbc.query(LOAD_KEYS, ps -> {
            ps.setArray(1, textArray(ps.getConnection(), actorKeys.stream().map(k -> k.get(0)).toList()));
            ps.setArray(2, textArray(ps.getConnection(), actorKeys.stream().map(k -> k.get(1)).toList()));
            ps.setArray(3, textArray(ps.getConnection(), actorKeys.stream().map(k -> k.get(2)).toList()));
        }, rs -> {
            AppliedBatch.KeyClaim claim = new AppliedBatch.KeyClaim(rs.getString("actor"),
                    rs.getString("workspace_id"), rs.getString("key"), rs.getString("request_hash"),
                    rs.getObject("batch_id", UUID.class), Rows.instant(rs, "stamped_at"));
            found.put(claim.scope(), claim);
        });
        return found;
    }

    /** Writes the batches' documents, history and results, and signals them on commit. */
    public void write(List<AppliedBatch> batches, Instant appliedAt) {
        Map<DocumentKey, DocumentHead> finalStates = new LinkedHashMap<>();
        List<DocumentChange> changes = new ArrayList<>();
        for (AppliedBatch batch : batches) {
            for (DocumentChange change : batch.changes()) {
                finalStates.put(new DocumentKey(change.state().workspaceId(), change.state().documentId()),
                        change.state());
                changes.add(change);
            }
        }
        Bodies bodies = new Bodies();
        changes.forEach(bodies::add);
        writeBodies(bodies);
        jdbc.batchUpdate(UPSERT_DOCUMENT, List.copyOf(finalStates.values()), 500, (ps, d) -> {
            ps.setString(1, d.workspaceId());
            ps.setString(2, d.documentId());
            ps.setLong(3, d.version());
            ps.setString(4, d.title());
            ps.setString(5, d.contentDigest());
            ps.setString(6, d.yjsDigest());
            ps.setBoolean(7, d.deleted());
            ps.setTimestamp(8, Rows.timestamp(d.createdAt()));
            ps.setTimestamp(9, Rows.timestamp(d.updatedAt()));
            ps.setString(10, d.updatedBy());
        });
        jdbc.batchUpdate(INSERT_VERSION, changes, 500, (ps, c) -> {
            DocumentHead d = c.state();
            ps.setString(1, d.workspaceId());
            ps.setString(2, d.documentId());
            ps.setLong(3, d.version());
            ps.setString(4, c.operation().wire());
            ps.setString(5, c.actor());
            ps.setObject(6, c.batchId());
            ps.setString(7, c.clientId());
            ps.setTimestamp(8, Rows.timestamp(c.stampedAt()));
            ps.setString(9, d.title());
            ps.setString(10, d.contentDigest());
            ps.setString(11, d.yjsDigest());
            ps.setBoolean(12, d.deleted());
            ps.setInt(13, c.position().partition());
            ps.setLong(14, c.position().offset());
            ps.setInt(15, c.applyIndex());
            if (c.merge().isPresent()) {
                ps.setLong(16, c.merge().get().fromBaseVersion());
                ps.setString(17, c.merge().get().algorithm());
            } else {
                ps.setNull(16, Types.BIGINT);
                ps.setNull(17, Types.VARCHAR);
            }
        });
        Timestamp applied = Rows.timestamp(appliedAt);
        jdbc.batchUpdate(INSERT_RESULT, batches, 500, (ps, b) -> {
            ps.setObject(1, b.result().batchId());
            ps.setString(2, b.result().workspaceId());
            ps.setString(3, b.actor());
            ps.setBoolean(4, b.result().atomic());
            ps.setInt(5, b.result().total());
            ps.setInt(6, b.result().successful());
            ps.setInt(7, b.result().failed());
            ps.setString(8, storedResults(b));
            ps.setTimestamp(9, Rows.timestamp(b.stampedAt()));
            ps.setTimestamp(10, applied);
            ps.setInt(11, b.position().partition());
            ps.setLong(12, b.position().offset());
            ps.setObject(13, b.duplicateOf());
        });
        List<AppliedBatch.KeyClaim> claims = batches.stream().map(AppliedBatch::keyClaim)
                .filter(Objects::nonNull).toList();
        jdbc.batchUpdate(CLAIM_KEY, claims, 500, (ps, k) -> {
            ps.setString(1, k.actor());
            ps.setString(2, k.workspaceId());
            ps.setString(3, k.key());
            ps.setString(4, k.requestHash());
            ps.setObject(5, k.batchId());
            ps.setTimestamp(6, Rows.timestamp(k.stampedAt()));
        });
        signals.ifPresent(s -> s.announce(batches.stream().map(b -> b.result().batchId()).toList(),
                batches.stream().filter(b -> !b.changes().isEmpty()).map(b -> b.result().workspaceId()).distinct()
                        .toList()));
    }

    /**
     * The results as stored: the wire's results, each that reports a document state with a reference to it
     * ({@link StateRef#FIELD}) instead of a copy; the answer reads the state when it is read (BatchReader).
     */
    public static String storedResults(AppliedBatch batch) {
        List<OperationResult> results = batch.result().results();
        if (batch.currentStates().isEmpty()) {
            return DocsyncJson.mapper().writeValueAsString(results);
        }
        ArrayNode stored = DocsyncJson.mapper().createArrayNode();
        for (int i = 0; i < results.size(); i++) {
            ObjectNode result = DocsyncJson.mapper().valueToTree(results.get(i));
            StateRef ref = batch.currentStates().get(i);
            if (ref != null) {
                result.set(StateRef.FIELD, DocsyncJson.mapper().valueToTree(ref));
            }
            stored.add(result);
        }
        return DocsyncJson.mapper().writeValueAsString(stored);
    }

    /** Stores the bodies not stored yet; a chunk with large bodies first asks which those are. */
    private void writeBodies(Bodies bodies) {
        if (bodies.isEmpty()) {
            return;
        }
        Set<List<String>> stored = new HashSet<>();
        if (bodies.bytes() > LOOK_BEFORE_SENDING_BYTES) {
            jdbc.query(STORED_BODIES, ps -> {
                ps.setArray(1, textArray(ps.getConnection(), bodies.keys().stream().map(List::getFirst).toList()));
                ps.setArray(2, textArray(ps.getConnection(), bodies.keys().stream().map(List::getLast).toList()));
            }, rs -> {
                stored.add(List.of(rs.getString(1), rs.getString(2)));
            });
        }
        List<List<String>> missing = bodies.keys().stream().filter(k -> !stored.contains(k)).toList();
        if (missing.isEmpty()) {
            return;
        }
        jdbc.update(INSERT_BODIES, ps -> {
            ps.setArray(1, textArray(ps.getConnection(), missing.stream().map(List::getFirst).toList()));
            ps.setArray(2, textArray(ps.getConnection(), missing.stream().map(List::getLast).toList()));
            ps.setArray(3, textArray(ps.getConnection(), missing.stream().map(bodies::body).toList()));
        });
    }

    private static Array textArray(Connection connection, List<String> values) throws SQLException {
        return connection.createArrayOf("text", values.toArray());
    }
}
