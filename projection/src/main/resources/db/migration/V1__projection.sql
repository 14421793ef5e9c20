-- The projection of the operations log. Everything here is derived from the log and can be rebuilt by
-- replaying it, except batch_receipts (ingest's note that a batch was acknowledged) and the operational
-- columns named below.

create table documents (
    workspace_id  text        not null,
    document_id   text        not null,
    version       bigint      not null,
    title         text        not null,
    content       text        not null,
    yjs_state_b64 text,
    deleted       boolean     not null,
    created_at    timestamptz not null,
    updated_at    timestamptz not null,
    updated_by    text        not null,
    primary key (workspace_id, document_id)
);

-- One row per version: the history, the time-travel source and the change feed. Apply order within a
-- workspace is (log_partition, log_offset, apply_index): log_offset is the offset at which the batch became
-- complete and apply_index the operation's place in the batch's apply order (creates, updates, deletes).
create table document_versions (
    workspace_id  text        not null,
    document_id   text        not null,
    version       bigint      not null,
    operation     text        not null,
    actor         text        not null,
    batch_id      uuid        not null,
    client_id     text,
    stamped_at    timestamptz not null,
    title         text        not null,
    content       text        not null,
    yjs_state_b64 text,
    deleted       boolean     not null,
    log_partition int         not null,
    log_offset    bigint      not null,
    apply_index   int         not null,
    primary key (workspace_id, document_id, version)
);

create index document_versions_by_log_position
    on document_versions (workspace_id, log_partition, log_offset, apply_index);

-- The applied result of every batch; batch_id as primary key is the second guard against applying twice.
-- applied_at is wall-clock time of the apply: operational, not part of the replayable state.
create table batch_results (
    batch_id      uuid        primary key,
    workspace_id  text        not null,
    actor         text        not null,
    atomic        boolean     not null,
    total         int         not null,
    successful    int         not null,
    failed        int         not null,
    results       jsonb       not null,
    stamped_at    timestamptz not null,
    applied_at    timestamptz not null,
    log_partition int         not null,
    log_offset    bigint      not null
);

-- Written by ingest when it answers 202, so a pending batch can be polled (and authorised) before it applies.
create table batch_receipts (
    batch_id        uuid        primary key,
    workspace_id    text        not null,
    actor           text        not null,
    stamped_at      timestamptz not null,
    operation_count int         not null
);

-- The apply-worker's consumer positions, committed in the same transaction as the documents they produced.
create table consumer_offsets (
    consumer_group text   not null,
    topic          text   not null,
    partition      int    not null,
    next_offset    bigint not null,
    primary key (consumer_group, topic, partition)
);
