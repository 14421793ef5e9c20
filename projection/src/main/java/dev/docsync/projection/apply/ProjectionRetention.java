package dev.docsync.projection.apply;

import dev.docsync.projection.Rows;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.SqlArrayValue;
import org.springframework.stereotype.Repository;

/**
 * Deletes what the projection keeps only for a while (DESIGN §6.8), each call one bounded batch in its own
 * statement, oldest first: Idempotency-Keys, receipts and results stamped before a given instant, and document
 * bodies no version refers to. Used by the apply-worker's retention job only (it writes the projection).
 */
@Repository
public class ProjectionRetention {

    private static final String DELETE_KEYS = """
            delete from idempotency_keys where ctid = any(array(
                select ctid from idempotency_keys where stamped_at < ? order by stamped_at limit ?))""";

    private static final String DELETE_RECEIPTS = """
            delete from batch_receipts where ctid = any(array(
                select ctid from batch_receipts where stamped_at < ? order by stamped_at limit ?))""";

    private static final String DELETE_RESULTS = """
            delete from batch_results where ctid = any(array(
                select ctid from batch_results where stamped_at < ? order by stamped_at limit ?))""";

    /** Recorded with every pruning of results, in the same transaction, so replay knows what live may lack. */
    private static final String RECORD_HORIZON = """
            insert into retention_horizons (name, pruned_before) values ('batch_results', ?)
            on conflict (name) do update set pruned_before = greatest(retention_horizons.pruned_before,
                                                                      excluded.pruned_before)""";

    /**
     * The next bodies in key order after a position, and whether a version refers to each (as this statement's
     * snapshot sees it: only a hint, the delete checks again). Reads no body and locks nothing.
     */
    private static final String NEXT_BODIES = """
            select b.workspace_id, b.digest,
                   not exists (select 1 from document_versions v
                                where v.workspace_id = b.workspace_id and v.content_digest = b.digest)
                   and not exists (select 1 from document_versions v
                                    where v.workspace_id = b.workspace_id and v.yjs_digest = b.digest) as unreferenced
              from document_bodies b
             where (b.workspace_id, b.digest) > (?, ?)
             order by b.workspace_id, b.digest
             limit ?""";

    /** Locks the candidates, skipping those an apply transaction holds (it is about to refer to them). */
    private static final String LOCK_BODIES = """
            select workspace_id, digest from document_bodies
             where (workspace_id, digest) in (select * from unnest(?::text[], ?::text[]))
               for update skip locked""";

    /**
     * Of the locked bodies, those no version refers to. A separate statement, so its snapshot sees every apply
     * transaction that committed before the bodies were locked; a later one waits for the lock and then stores the
     * body again ({@link ProjectionWriter} locks the bodies it relies on). Every {@code documents} row is a copy of
     * its latest version's row, so versions are all the references there are.
     */
    private static final String DELETE_UNREFERENCED = """
            delete from document_bodies b
             where (b.workspace_id, b.digest) in (select * from unnest(?::text[], ?::text[]))
               and not exists (select 1 from document_versions v
                                where v.workspace_id = b.workspace_id and v.content_digest = b.digest)
               and not exists (select 1 from document_versions v
                                where v.workspace_id = b.workspace_id and v.yjs_digest = b.digest)""";

    /** One sweep step over bodies: how many were looked at, how many deleted, and where to go on from. */
    public record BodySweep(int examined, int deleted, String lastWorkspaceId, String lastDigest) {
    }

    private final JdbcClient jdbc;

    public ProjectionRetention(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public int pruneIdempotencyKeys(Instant stampedBefore, int limit) {
        return jdbc.sql(DELETE_KEYS).params(Rows.timestamp(stampedBefore), limit).update();
    }

    public int pruneReceipts(Instant stampedBefore, int limit) {
        return jdbc.sql(DELETE_RECEIPTS).params(Rows.timestamp(stampedBefore), limit).update();
    }

    /**
     * Deletes results stamped before {@code stampedBefore} and, when it deleted any, records that horizon; the
     * caller runs it in a transaction, so no one sees results missing without the horizon that explains it.
     */
    public int pruneResults(Instant stampedBefore, int limit) {
        int deleted = jdbc.sql(DELETE_RESULTS).params(Rows.timestamp(stampedBefore), limit).update();
        if (deleted > 0) {
            jdbc.sql(RECORD_HORIZON).params(Rows.timestamp(stampedBefore)).update();
        }
        return deleted;
    }

    /**
     * Deletes the unreferenced ones among the next {@code limit} bodies after ({@code afterWorkspaceId},
     * {@code afterDigest}) in key order ("" and "" to start); the caller runs it in a transaction.
     */
    public BodySweep sweepBodies(String afterWorkspaceId, String afterDigest, int limit) {
        List<String> candidateWorkspaces = new ArrayList<>();
        List<String> candidateDigests = new ArrayList<>();
        String[] last = {afterWorkspaceId, afterDigest};
        int[] examined = {0};
        jdbc.sql(NEXT_BODIES).params(afterWorkspaceId, afterDigest, limit).query(rs -> {
            examined[0]++;
            last[0] = rs.getString(1);
            last[1] = rs.getString(2);
            if (rs.getBoolean(3)) {
                candidateWorkspaces.add(last[0]);
                candidateDigests.add(last[1]);
            }
        });
        if (candidateWorkspaces.isEmpty()) {
            return new BodySweep(examined[0], 0, last[0], last[1]);
        }
        List<String> workspaces = new ArrayList<>();
        List<String> digests = new ArrayList<>();
        jdbc.sql(LOCK_BODIES).params(texts(candidateWorkspaces), texts(candidateDigests)).query(rs -> {
            workspaces.add(rs.getString(1));
            digests.add(rs.getString(2));
        });
        int deleted = workspaces.isEmpty() ? 0
                : jdbc.sql(DELETE_UNREFERENCED).params(texts(workspaces), texts(digests)).update();
        return new BodySweep(examined[0], deleted, last[0], last[1]);
    }

    private static SqlArrayValue texts(List<String> values) {
        return new SqlArrayValue("text", values.toArray());
    }
}
