-- The partition count of each operations topic this projection was built from. Workspaces map to partitions
-- by hash modulo that count, so a changed count moves workspaces to other partitions and breaks their order
-- and the change feed: the apply-worker refuses to start on a topic whose count differs from the one recorded.
create table log_topology (
    topic      text primary key,
    partitions int  not null
);
