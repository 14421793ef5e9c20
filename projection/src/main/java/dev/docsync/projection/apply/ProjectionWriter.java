package dev.docsync.projection.apply;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.MergeInfo;
import dev.docsync.contracts.OperationResult;
import dev.docsync.projection.Rows;
import dev.docsync.projection.TransactionConnection;
import dev.docsync.projection.signals.BatchSignals;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.SqlArrayValue;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The write side of the projection, used only by the apply-worker inside its apply transaction. Each statement
 * is sent once whatever the number of rows (array parameters, {@link SqlArrayValue}). It reads no bodies but
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

    /**
     * Everything a chunk writes, in one statement and one round trip: bodies not stored yet, the documents' final
     * states, the history rows, the results and the Idempotency-Keys claimed, each from arrays ({@code unnest}).
     * An existing body is locked, not rewritten ({@code do update ... where false} locks the conflicting row).
     * Rows of the sub-statements do not depend on each other: no foreign keys join these tables.
     */
    private static final String WRITE_CHUNK = """
            with bodies as (
                insert into document_bodies (workspace_id, digest, body)
                select * from unnest(?::text[], ?::text[], ?::text[])
                on conflict (workspace_id, digest) do update set digest = excluded.digest where false
            ), heads as (
                insert into documents (workspace_id, document_id, version, title, content_digest, yjs_digest, deleted,
                                       created_at, updated_at, updated_by)
                select * from unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::boolean[],
                                     ?::timestamptz[], ?::timestamptz[], ?::text[])
                on conflict (workspace_id, document_id) do update
                   set version = excluded.version, title = excluded.title, content_digest = excluded.content_digest,
                       yjs_digest = excluded.yjs_digest, deleted = excluded.deleted,
                       updated_at = excluded.updated_at, updated_by = excluded.updated_by
            ), versions as (
                insert into document_versions (workspace_id, document_id, version, operation, actor, batch_id,
                                               client_id, stamped_at, title, content_digest, yjs_digest, deleted,
                                               log_partition, log_offset, apply_index, merged_from, merge_algorithm)
                select * from unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::uuid[], ?::text[],
                                     ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::int[],
                                     ?::bigint[], ?::int[], ?::bigint[], ?::text[])
            ), results as (
                insert into batch_results (batch_id, workspace_id, actor, atomic, total, successful, failed, results,
                                           stamped_at, applied_at, log_partition, log_offset, duplicate_of)
                select r.batch_id, r.workspace_id, r.actor, r.atomic, r.total, r.successful, r.failed,
                       r.results::jsonb, r.stamped_at, ?::timestamptz, r.log_partition, r.log_offset, r.duplicate_of
                  from unnest(?::uuid[], ?::text[], ?::text[], ?::boolean[], ?::int[], ?::int[], ?::int[], ?::text[],
                              ?::timestamptz[], ?::int[], ?::bigint[], ?::uuid[])
                       as r(batch_id, workspace_id, actor, atomic, total, successful, failed, results, stamped_at,
                            log_partition, log_offset, duplicate_of)
            ), claims as (
                insert into idempotency_keys (actor, workspace_id, key, request_hash, batch_id, stamped_at)
                select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::uuid[], ?::timestamptz[])
                on conflict (actor, workspace_id, key) do update
                   set request_hash = excluded.request_hash, batch_id = excluded.batch_id,
                       stamped_at = excluded.stamped_at
            )
            select 1""";

    /**
     * The bodies this chunk relies on are locked (key share) until it commits, so that the retention job
     * ({@link ProjectionRetention}) cannot collect a body between this transaction finding it and referring to it.
     */
    private static final String STORED_BODIES = """
            select workspace_id, digest from document_bodies
             where (workspace_id, digest) in (select * from unnest(?::text[], ?::text[]))
               for key share""";

    /** Above this many bytes of bodies in a chunk, ask which are stored before sending them. */
    private static final long LOOK_BEFORE_SENDING_BYTES = 64 * 1024;

    private static final String LOAD_KEYS = """
            select actor, workspace_id, key, request_hash, batch_id, stamped_at
              from idempotency_keys
             where (actor, workspace_id, key) in (select * from unnest(?::text[], ?::text[], ?::text[]))""";

    /** {@link #readChunk}: four statements sent together; the first locks the partition's stored position. */
    private static final String READ_CHUNK = """
            select next_offset from consumer_offsets
             where consumer_group = ? and topic = ? and partition = ? for update;
            """ + APPLIED_BATCHES + ";\n" + LOAD_HEADS + ";\n" + LOAD_KEYS;

    private final JdbcClient jdbc;
    /** The same database as {@link #jdbc}: {@link #readChunk} runs on its transaction's connection. */
    private final DataSource dataSource;
    private final Optional<BatchSignals> signals;

    /**
     * The apply-worker's writer: what it writes is announced on commit ({@link BatchSignals}). {@code jdbc} is a
     * client of {@code dataSource} (the context's).
     */
    @Autowired
    public ProjectionWriter(JdbcClient jdbc, DataSource dataSource, BatchSignals signals) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.signals = Optional.of(signals);
    }

    /** A writer that announces nothing (see {@link #withoutSignals}; also for tests that stand in for it). */
    protected ProjectionWriter(DataSource dataSource) {
        this.jdbc = JdbcClient.create(dataSource);
        this.dataSource = dataSource;
        this.signals = Optional.empty();
    }

    /** A writer that does not NOTIFY: for rebuilding a projection nobody waits on (replay). */
    public static ProjectionWriter withoutSignals(DataSource dataSource) {
        return new ProjectionWriter(dataSource);
    }

    /**
     * What deciding a chunk reads, in one round trip (the statements go together, their rows come back one result
     * after the other): the partition's stored position, locked until the transaction ends (empty when none is
     * stored), which of {@code batchIds} are applied, the current state of each of {@code documents} that exists and
     * the Idempotency-Keys of {@code scopes} already owned.
     */
    public ChunkRead readChunk(String group, String topic, int partition, Collection<UUID> batchIds,
            Collection<DocumentKey> documents, Collection<List<String>> scopes) {
        List<Object> parameters = new ArrayList<>(List.of(group, topic, partition, uuids(batchIds)));
        parameters.addAll(headKeys(documents));
        parameters.addAll(keyScopes(scopes));
        // Several result sets from one statement: JdbcClient reads one only (and the driver's executeQuery refuses
        // more), so this runs on the transaction's connection; the parameters are set as JdbcClient sets them.
        return TransactionConnection.prepared(dataSource, READ_CHUNK, parameters, ps -> {
            ps.execute();
            OptionalLong stored;
            try (ResultSet rs = ps.getResultSet()) {
                stored = PartitionOffsets.storedPosition(rs);
            }
            Set<UUID> applied = new HashSet<>();
            ps.getMoreResults();
            try (ResultSet rs = ps.getResultSet()) {
                while (rs.next()) {
                    applied.add(rs.getObject(1, UUID.class));
                }
            }
            Map<DocumentKey, DocumentHead> heads = new HashMap<>();
            ps.getMoreResults();
            try (ResultSet rs = ps.getResultSet()) {
                while (rs.next()) {
                    DocumentHead head = head(rs);
                    heads.put(new DocumentKey(head.workspaceId(), head.documentId()), head);
                }
            }
            Map<List<String>, AppliedBatch.KeyClaim> keys = new HashMap<>();
            ps.getMoreResults();
            try (ResultSet rs = ps.getResultSet()) {
                while (rs.next()) {
                    AppliedBatch.KeyClaim claim = keyClaim(rs);
                    keys.put(claim.scope(), claim);
                }
            }
            return new ChunkRead(stored, applied, heads, keys);
        });
    }

    /** What {@link #readChunk} found. */
    public record ChunkRead(OptionalLong storedPosition, Set<UUID> applied, Map<DocumentKey, DocumentHead> heads,
            Map<List<String>, AppliedBatch.KeyClaim> keys) {
    }

    /** The current state of each of {@code keys} that exists, without its bodies. */
    public Map<DocumentKey, DocumentHead> loadHeads(Collection<DocumentKey> keys) {
        if (keys.isEmpty()) {
            return Map.of();
        }
        Map<DocumentKey, DocumentHead> found = new HashMap<>();
        jdbc.sql(LOAD_HEADS).params(headKeys(keys)).query(rs -> {
            DocumentHead head = head(rs);
            found.put(new DocumentKey(head.workspaceId(), head.documentId()), head);
        });
        return found;
    }

    /** The parameters of {@link #LOAD_HEADS}: workspace ids and document ids. */
    private static List<Object> headKeys(Collection<DocumentKey> keys) {
        return List.of(texts(keys.stream().map(DocumentKey::workspaceId).toArray()),
                texts(keys.stream().map(DocumentKey::documentId).toArray()));
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
        List<DocumentHead> found = jdbc.sql(LOAD_VERSION_HEAD).params(key.workspaceId(), key.documentId(), version)
                .query((rs, n) -> head(rs)).list();
        return found.stream().findFirst();
    }

    /** The UTF-8 size in bytes of each stored body of {@code digests} in the workspace (absent: not stored). */
    public Map<String, Long> bodySizes(String workspaceId, Collection<String> digests) {
        Map<String, Long> sizes = new HashMap<>();
        if (!digests.isEmpty()) {
            jdbc.sql(BODY_SIZES).params(workspaceId, texts(digests.toArray())).query(rs -> {
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
            jdbc.sql(LOAD_BODIES).params(workspaceId, texts(digests.toArray())).query(rs -> {
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
        jdbc.sql(APPLIED_BATCHES).params(uuids(batchIds)).query(rs -> {
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
        jdbc.sql(LOAD_KEYS).params(keyScopes(actorKeys)).query(rs -> {
            AppliedBatch.KeyClaim claim = keyClaim(rs);
            found.put(claim.scope(), claim);
        });
        return found;
    }

    /** The parameters of {@link #LOAD_KEYS}: actors, workspace ids and keys. */
    private static List<Object> keyScopes(Collection<List<String>> scopes) {
        return List.of(texts(scopes.stream().map(k -> k.get(0)).toArray()),
                texts(scopes.stream().map(k -> k.get(1)).toArray()),
                texts(scopes.stream().map(k -> k.get(2)).toArray()));
    }

    private static AppliedBatch.KeyClaim keyClaim(ResultSet rs) throws SQLException {
        return new AppliedBatch.KeyClaim(rs.getString("actor"), rs.getString("workspace_id"), rs.getString("key"),
                rs.getString("request_hash"), rs.getObject("batch_id", UUID.class), Rows.instant(rs, "stamped_at"));
    }

    /** Writes the batches' documents, history, results and keys in one statement, and signals them on commit. */
    public void write(List<AppliedBatch> batches, Instant appliedAt) {
        Map<DocumentKey, DocumentHead> finalStates = new LinkedHashMap<>();
        List<DocumentChange> changes = new ArrayList<>();
        // One claim per key: a key reused after its retention within the chunk ends with its last owner.
        Map<List<String>, AppliedBatch.KeyClaim> claims = new LinkedHashMap<>();
        Bodies bodies = new Bodies();
        for (AppliedBatch batch : batches) {
            for (DocumentChange change : batch.changes()) {
                finalStates.put(new DocumentKey(change.state().workspaceId(), change.state().documentId()),
                        change.state());
                changes.add(change);
                bodies.add(change);
            }
            batch.keyClaim().ifPresent(claim -> claims.put(claim.scope(), claim));
        }
        List<List<String>> missing = missingBodies(bodies);
        Columns columns = new Columns();
        columns.text(missing, List::getFirst).text(missing, List::getLast).text(missing, bodies::body);
        Collection<DocumentHead> heads = finalStates.values();
        columns.text(heads, DocumentHead::workspaceId).text(heads, DocumentHead::documentId)
                .int8(heads, DocumentHead::version).text(heads, DocumentHead::title)
                .text(heads, DocumentHead::contentDigest).text(heads, DocumentHead::yjsDigest)
                .bool(heads, DocumentHead::deleted).time(heads, DocumentHead::createdAt)
                .time(heads, DocumentHead::updatedAt).text(heads, DocumentHead::updatedBy);
        columns.text(changes, c -> c.state().workspaceId()).text(changes, c -> c.state().documentId())
                .int8(changes, c -> c.state().version()).text(changes, c -> c.operation().wire())
                .text(changes, DocumentChange::actor).uuid(changes, DocumentChange::batchId)
                .text(changes, DocumentChange::clientId).time(changes, DocumentChange::stampedAt)
                .text(changes, c -> c.state().title()).text(changes, c -> c.state().contentDigest())
                .text(changes, c -> c.state().yjsDigest()).bool(changes, c -> c.state().deleted())
                .int4(changes, c -> c.position().partition()).int8(changes, c -> c.position().offset())
                .int4(changes, DocumentChange::applyIndex)
                .int8(changes, c -> c.merge().map(MergeInfo::fromBaseVersion).orElse(null))
                .text(changes, c -> c.merge().map(MergeInfo::algorithm).orElse(null));
        columns.time(appliedAt);
        columns.uuid(batches, b -> b.result().batchId()).text(batches, b -> b.result().workspaceId())
                .text(batches, AppliedBatch::actor).bool(batches, b -> b.result().atomic())
                .int4(batches, b -> b.result().total()).int4(batches, b -> b.result().successful())
                .int4(batches, b -> b.result().failed()).text(batches, ProjectionWriter::storedResults)
                .time(batches, AppliedBatch::stampedAt).int4(batches, b -> b.position().partition())
                .int8(batches, b -> b.position().offset()).uuid(batches, b -> b.duplicateOf().orElse(null));
        Collection<AppliedBatch.KeyClaim> keys = claims.values();
        columns.text(keys, AppliedBatch.KeyClaim::actor).text(keys, AppliedBatch.KeyClaim::workspaceId)
                .text(keys, AppliedBatch.KeyClaim::key).text(keys, AppliedBatch.KeyClaim::requestHash)
                .uuid(keys, AppliedBatch.KeyClaim::batchId).time(keys, AppliedBatch.KeyClaim::stampedAt);
        jdbc.sql(WRITE_CHUNK).params(columns.values()).query(rs -> {
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

    /** The bodies not stored yet; a chunk with large bodies first asks which those are (and locks them). */
    private List<List<String>> missingBodies(Bodies bodies) {
        if (bodies.bytes() <= LOOK_BEFORE_SENDING_BYTES) {
            return List.copyOf(bodies.keys());
        }
        Set<List<String>> stored = new HashSet<>();
        jdbc.sql(STORED_BODIES).params(texts(bodies.keys().stream().map(List::getFirst).toArray()),
                texts(bodies.keys().stream().map(List::getLast).toArray())).query(rs -> {
                    stored.add(List.of(rs.getString(1), rs.getString(2)));
                });
        return bodies.keys().stream().filter(k -> !stored.contains(k)).toList();
    }

    /** A {@code text[]} parameter (a new one per statement: it holds the driver's array until cleaned up). */
    private static SqlArrayValue texts(Object[] values) {
        return new SqlArrayValue("text", values);
    }

    private static SqlArrayValue uuids(Collection<UUID> values) {
        return new SqlArrayValue("uuid", values.toArray());
    }
}
