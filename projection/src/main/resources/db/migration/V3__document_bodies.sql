-- Each distinct content and Yjs state is stored once per workspace, addressed by the SHA-256 of its UTF-8
-- text; documents and versions refer to it. 100 title-only updates of a 10 MiB document used to write 100
-- copies of its content (one per version row, plus a new documents row each time): now they write none.
-- Time travel stays one read (a version row joined with its bodies).
create table document_bodies (
    workspace_id text not null,
    digest       text not null,
    body         text not null,
    primary key (workspace_id, digest)
);

insert into document_bodies (workspace_id, digest, body)
select workspace_id, encode(sha256(convert_to(body, 'UTF8')), 'hex'), body
  from (select workspace_id, content as body from document_versions
        union select workspace_id, yjs_state_b64 from document_versions where yjs_state_b64 is not null
        union select workspace_id, content from documents
        union select workspace_id, yjs_state_b64 from documents where yjs_state_b64 is not null) b
on conflict do nothing;

alter table documents add column content_digest text, add column yjs_digest text;
update documents
   set content_digest = encode(sha256(convert_to(content, 'UTF8')), 'hex'),
       yjs_digest = case when yjs_state_b64 is null then null
                         else encode(sha256(convert_to(yjs_state_b64, 'UTF8')), 'hex') end;
alter table documents alter column content_digest set not null, drop column content, drop column yjs_state_b64;

alter table document_versions add column content_digest text, add column yjs_digest text;
update document_versions
   set content_digest = encode(sha256(convert_to(content, 'UTF8')), 'hex'),
       yjs_digest = case when yjs_state_b64 is null then null
                         else encode(sha256(convert_to(yjs_state_b64, 'UTF8')), 'hex') end;
alter table document_versions alter column content_digest set not null, drop column content,
    drop column yjs_state_b64;
