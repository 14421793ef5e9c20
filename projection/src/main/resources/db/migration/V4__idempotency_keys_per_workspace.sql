-- An Idempotency-Key belongs to (actor, workspace) (DESIGN §3.1): the same key in another workspace is another
-- key, so whether a batch is a retry is decided inside one partition, in log order, and replay decides the same.
alter table idempotency_keys add column workspace_id text;
update idempotency_keys k
   set workspace_id = coalesce((select r.workspace_id from batch_results r where r.batch_id = k.batch_id), '');
alter table idempotency_keys alter column workspace_id set not null,
    drop constraint idempotency_keys_pkey,
    add primary key (actor, workspace_id, key);
