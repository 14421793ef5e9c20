package dev.docsync.projection.batches;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.DocumentView;
import dev.docsync.projection.Rows;
import dev.docsync.projection.apply.StateRef;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
 * Only the states that fit are read: a state's bodies come with its size when it is within its share of the
 * budget, and otherwise only once it is chosen. Results stored before references existed
 * (with a full {@code current}) and results without references go out as they are stored.
 */
final class ReportedStates {

    /** Without the bound, 99 re-creates of one 3 MB document made a 300 MB answer. */
    static final long MAX_CURRENT_BYTES = 10L * 1024 * 1024;

    /**
     * The states (from history, as {@code DocumentReader} reads a version: created_at is when version 1 was stamped)
     * with their sizes; a state's bodies come only when it is within the {@code share} (the first parameter), so the
     * statement reads at most the budget of bodies whatever it is asked for.
     */
    private static final String STATES = """
            select v.workspace_id, v.document_id, v.version, v.title, v.deleted, c.stamped_at as created_at,
                   v.stamped_at as updated_at, v.actor as updated_by, s.bytes, s.bytes > p.share as withheld,
                   case when s.bytes <= p.share then b.body end as content,
                   case when s.bytes <= p.share then y.body end as yjs_state_b64
              from (select ?::bigint as share) p
             cross join unnest(?::text[], ?::bigint[]) r(document_id, version)
              join document_versions v
                on v.workspace_id = ? and v.document_id = r.document_id and v.version = r.version
              join document_versions c
                on c.workspace_id = v.workspace_id and c.document_id = v.document_id and c.version = 1
              join document_bodies b on b.workspace_id = v.workspace_id and b.digest = v.content_digest
              left join document_bodies y on y.workspace_id = v.workspace_id and y.digest = v.yjs_digest
             cross join lateral (select octet_length(v.title) + octet_length(b.body)
                                        + coalesce(octet_length(y.body), 0) as bytes) s""";

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
        Map<StateRef, DocumentView> given = withinBudget(workspaceId, results.size(), refs);
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

    /** A state as the first statement read it: its size, and its bodies unless they were withheld. */
    private record Sized(long bytes, boolean withheld, DocumentView state) {
    }

    /**
     * The states to give, in request order: each document's first one while the budget lasts. Only a document's first
     * reference can be given, so only those are read, in one statement when each is within its share of the budget
     * (the common case: a few small states); a state over its share is read again, whole, when it fits.
     */
    private Map<StateRef, DocumentView> withinBudget(String workspaceId, int count, Map<Integer, StateRef> refs) {
        Map<String, StateRef> firsts = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            StateRef ref = refs.get(i);
            if (ref != null) {
                firsts.putIfAbsent(ref.documentId(), ref);
            }
        }
        if (firsts.isEmpty()) {
            return Map.of();
        }
        Set<StateRef> asked = new LinkedHashSet<>(firsts.values());
        Map<StateRef, Sized> read = read(workspaceId, asked, MAX_CURRENT_BYTES / asked.size());
        Map<StateRef, DocumentView> given = new HashMap<>();
        Set<StateRef> withheld = new LinkedHashSet<>();
        long remaining = MAX_CURRENT_BYTES;
        for (StateRef ref : asked) {
            Sized sized = read.get(ref);
            if (sized != null && sized.bytes() <= remaining) {
                remaining -= sized.bytes();
                if (sized.withheld()) {
                    withheld.add(ref);
                } else {
                    given.put(ref, sized.state());
                }
            }
        }
        if (!withheld.isEmpty()) {
            // Chosen within what was left of the budget: together they fit it.
            read(workspaceId, withheld, MAX_CURRENT_BYTES).forEach((ref, sized) -> given.put(ref, sized.state()));
        }
        return given;
    }

    /** The states of {@code refs} that exist, each with its bodies when it is within {@code share} bytes. */
    private Map<StateRef, Sized> read(String workspaceId, Set<StateRef> refs, long share) {
        Map<StateRef, Sized> read = new HashMap<>();
        jdbc.sql(STATES).params(share, documents(refs), versions(refs), workspaceId).query(rs -> {
            DocumentView state = Rows.document(rs);
            read.put(new StateRef(state.documentId(), state.version()),
                    new Sized(rs.getLong("bytes"), rs.getBoolean("withheld"), state));
        });
        return read;
    }

    private static String[] documents(Set<StateRef> refs) {
        return refs.stream().map(StateRef::documentId).toArray(String[]::new);
    }

    private static Long[] versions(Set<StateRef> refs) {
        return refs.stream().map(StateRef::version).toArray(Long[]::new);
    }
}
