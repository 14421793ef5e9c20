package dev.docsync.projection.batches;

import dev.docsync.projection.Rows;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Read side of Idempotency-Keys, for ingest's early answer to a retry (the apply-worker has the last word). */
@Repository
public class IdempotencyKeys {

    public record Owner(String requestHash, UUID batchId, Instant stampedAt) {
    }

    private static final String FIND = """
            select request_hash, batch_id, stamped_at from idempotency_keys
             where actor = :actor and workspace_id = :workspace and key = :key""";

    private final JdbcClient jdbc;

    public IdempotencyKeys(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Owner> find(String actor, String workspaceId, String key) {
        return jdbc.sql(FIND).param("actor", actor).param("workspace", workspaceId).param("key", key)
                .query((rs, n) -> new Owner(rs.getString("request_hash"), rs.getObject("batch_id", UUID.class),
                        Rows.instant(rs, "stamped_at")))
                .optional();
    }
}
