-- A version made by a three-way merge (issue 23, DESIGN §3.1) records the base_version it was merged from and the
-- merge algorithm (with its version, e.g. diff3-lines/1); both null for every other version. Part of the replayable
-- history: replay compares them like every other column.
alter table document_versions add column merged_from bigint, add column merge_algorithm text;
