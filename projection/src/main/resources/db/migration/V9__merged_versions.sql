-- A version made by a three-way merge (issue 23, DESIGN §3.1) records the base_version it was merged from; null for
-- every other version. Part of the replayable history: replay compares it like every other column.
alter table document_versions add column merged_from bigint;
