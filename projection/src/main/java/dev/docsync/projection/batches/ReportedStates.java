package dev.docsync.projection.batches;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.DocumentView;
import dev.docsync.projection.Rows;
import dev.docsync.projection.apply.StateRef;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns stored results into the answer's results (DESIGN §3.1): a result stores a reference to the document
 * state it reports ({@code current_ref}: id and version); the answer carries that state, read from the history,
 * as {@code current}. One answer carries at most {@link #MAX_CURRENT_BYTES} of states, each document's at most
 * once, in request order; beyond that a result says {@code current_omitted} and the client reads the document.
 * Only the states that fit are read: their sizes are asked first. Results stored before references existed
 * (with a full {@code current}) and results without references go out as they are stored.
 */
final class ReportedStates {

    /** Without the bound, 99 re-creates of one 3 MB document made a 300 MB answer. */
    static final long MAX_CURRENT_BYTES = 10L * 1024 * 1024;

    private static final String SIZES = """
            select v.document_id, v.version,
                   octet_length(v.title) + octet_length(b.body) + coalesce(octet_length(y.body), 0) as bytes
              from unnest(?::text[], ?::bigint[]) r(document_id, version)
              join document_versions v
                on v.workspace_id = ? and v.document_id = r.document_id and v.version = r.version
              join document_bodies b on b.workspace_id = v.workspace_id and b.digest = v.content_digest
              left join document_bodies y on y.workspace_id = v.workspace_id and y.digest = v.yjs_digest""";

    /** States from history, as {@code DocumentReader} reads a version: created_at is when version 1 was stamped. */
    private static final String STATES = """
            select v.workspace_id, v.document_id, v.version, v.title, b.body as content, y.body as yjs_state_b64,
                   v.deleted, c.stamped_at as created_at, v.stamped_at as updated_at, v.actor as updated_by
              from unnest(?::text[], ?::bigint[]) r(document_id, version)
              join document_versions v
                on v.workspace_id = ? and v.document_id = r.document_id and v.version = r.version
              join document_versions c
                on c.workspace_id = v.workspace_id and c.document_id = v.document_id and c.version = 1
              join document_bodies b on b.workspace_id = v.workspace_id and b.digest = v.content_digest
              left join document_bodies y on y.workspace_id = v.workspace_id and y.digest = v.yjs_digest""";

    /** How {@code current_ref} looks in {@code jsonb} text; a cheap test that an answer has nothing to read. */
    private static final String MARKER = "\"" + StateRef.FIELD + "\"";

    private final JdbcClient jdbc;

    ReportedStates(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** {@code stored}: the results JSON of a batch of {@code workspaceId} as stored; returns the answer's. */
    String materialise(String workspaceId, String stored) {
        if (!stored.contains(MARKER)) {
            return stored;
        }
        JsonNode parsed = DocsyncJson.mapper().readTree(stored);
        if (!(parsed instanceof ArrayNode results)) {
            return stored;
        }
        Map<Integer, StateRef> refs = new HashMap<>();
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) instanceof ObjectNode result && result.get(StateRef.FIELD) instanceof ObjectNode ref
                    && ref.hasNonNull("document_id") && ref.hasNonNull("version")) {
                refs.put(i, new StateRef(ref.get("document_id").asString(), ref.get("version").asLong()));
            }
        }
        Map<StateRef, DocumentView> given = read(workspaceId, withinBudget(workspaceId, results.size(), refs));
        Set<String> documentsGiven = new HashSet<>();
        for (int i = 0; i < results.size(); i++) {
            if (!(results.get(i) instanceof ObjectNode result) || !result.has(StateRef.FIELD)) {
                continue;
            }
            result.remove(StateRef.FIELD);
            StateRef ref = refs.get(i);
            DocumentView state = ref == null ? null : given.get(ref);
            if (state != null && documentsGiven.add(ref.documentId())) {
                result.set("current", DocsyncJson.mapper().valueToTree(state));
            } else {
                result.put("current_omitted", true);
            }
        }
        return DocsyncJson.mapper().writeValueAsString(results);
    }

    /** The states to give, in request order: each document's first one while the budget lasts. */
    private Set<StateRef> withinBudget(String workspaceId, int count, Map<Integer, StateRef> refs) {
        if (refs.isEmpty()) {
            return Set.of();
        }
        Map<StateRef, Long> sizes = new HashMap<>();
        Set<StateRef> distinct = new LinkedHashSet<>(refs.values());
        jdbc.sql(SIZES).params(documents(distinct), versions(distinct), workspaceId).query(rs -> {
            sizes.put(new StateRef(rs.getString("document_id"), rs.getLong("version")), rs.getLong("bytes"));
        });
        Set<StateRef> chosen = new LinkedHashSet<>();
        Set<String> documents = new HashSet<>();
        long remaining = MAX_CURRENT_BYTES;
        for (int i = 0; i < count; i++) {
            StateRef ref = refs.get(i);
            if (ref == null || !documents.add(ref.documentId())) {
                continue;
            }
            Long size = sizes.get(ref);
            if (size != null && size <= remaining) {
                remaining -= size;
                chosen.add(ref);
            }
        }
        return chosen;
    }

    private Map<StateRef, DocumentView> read(String workspaceId, Set<StateRef> refs) {
        if (refs.isEmpty()) {
            return Map.of();
        }
        Map<StateRef, DocumentView> states = new HashMap<>();
        jdbc.sql(STATES).params(documents(refs), versions(refs), workspaceId).query(rs -> {
            DocumentView state = Rows.document(rs);
            states.put(new StateRef(state.documentId(), state.version()), state);
        });
        return states;
    }

    private static String[] documents(Set<StateRef> refs) {
        return refs.stream().map(StateRef::documentId).toArray(String[]::new);
    }

    private static Long[] versions(Set<StateRef> refs) {
        return refs.stream().map(StateRef::version).toArray(Long[]::new);
    }
}
