-- Retention (issue 19): Idempotency-Keys, receipts and results are pruned after their retention, oldest first, in
-- bounded batches by the apply-worker; these indexes find the oldest rows without scanning the tables.
create index idempotency_keys_by_stamp on idempotency_keys (stamped_at);
create index batch_receipts_by_stamp on batch_receipts (stamped_at);
create index batch_results_by_stamp on batch_results (stamped_at);

-- Unreferenced bodies are collected: whether a body is still referred to is one index probe per digest.
create index document_versions_by_content_digest on document_versions (workspace_id, content_digest);
create index document_versions_by_yjs_digest on document_versions (workspace_id, yjs_digest)
    where yjs_digest is not null;

-- What the live projection has pruned: rows of `name` stamped before `pruned_before` may be gone. Replay's checksum
-- comparison compares only the rows stamped at or after it (a rebuilt projection still has the older ones).
create table retention_horizons (
    name          text        primary key,
    pruned_before timestamptz not null
);
