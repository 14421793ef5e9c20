-- Idempotency-Key per actor: the first batch that applied with it, and a hash of its request. Written by the
-- apply transaction, so whether a batch is a retry is decided from the log alone (replay gives the same).
create table idempotency_keys (
    actor        text        not null,
    key          text        not null,
    request_hash text        not null,
    batch_id     uuid        not null,
    stamped_at   timestamptz not null,
    primary key (actor, key)
);

-- A batch recognised as a retry of an earlier one answers with that one's results.
alter table batch_results add column duplicate_of uuid;
