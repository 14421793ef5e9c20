-- A stored result refers to the document state it reports instead of copying it (DESIGN §3.1, issue 19): the
-- answer reads the state from the history when it is read. Results stored before carry a full "current"; where
-- that copy is exactly a version in the history (same title, flag and bodies), it becomes a reference
-- {"current_ref": {"document_id", "version"}}, as the apply-worker now stores it, so a replay compares equal and
-- the copies are freed. A copy that matches no version (a state a failed atomic batch made and never wrote) is
-- kept as it is; the read side passes results without references through unchanged.
update batch_results r
   set results = (
       select jsonb_agg(
                case when e ? 'current' and jsonb_typeof(e -> 'current') = 'object' and exists (
                          select 1 from document_versions v
                           where v.workspace_id = r.workspace_id
                             and v.document_id = e -> 'current' ->> 'document_id'
                             and v.version = (e -> 'current' ->> 'version')::bigint
                             and v.title = e -> 'current' ->> 'title'
                             and v.deleted = (e -> 'current' ->> 'deleted')::boolean
                             and v.content_digest
                                 = encode(sha256(convert_to(e -> 'current' ->> 'content', 'UTF8')), 'hex')
                             and v.yjs_digest is not distinct from
                                 encode(sha256(convert_to(e -> 'current' ->> 'yjs_state_b64', 'UTF8')), 'hex'))
                     then (e - 'current') || jsonb_build_object('current_ref', jsonb_build_object(
                              'document_id', e -> 'current' -> 'document_id', 'version', e -> 'current' -> 'version'))
                     else e end
                order by i)
         from jsonb_array_elements(r.results) with ordinality as a(e, i))
 where jsonb_path_exists(r.results, '$[*].current');
