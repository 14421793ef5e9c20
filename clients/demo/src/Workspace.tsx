import { useDocsync, useDocuments, useSyncStats, useSyncStatus } from "@docsync/react";
import type { LocalDocument, SyncStats } from "@docsync/client";
import { useState } from "react";
import { conflictDiff, mergedText } from "./merge.js";

/** Reads the content of a document at a version from the server (the base of a merge), undefined when it cannot. */
export type ReadContent = (id: string, version: number) => Promise<string | undefined>;

export function Toolbar({ offline, setOffline, user, workspaceId, onLogout }: {
  offline: boolean; setOffline: (v: boolean) => void; user: string; workspaceId: string; onLogout: (wipe: boolean) => void;
}) {
  const { pending, syncing, progress, lastReport, sync } = useSyncStatus();
  const done = progress ? progress.applied + progress.failed : 0;
  return (
    <header className="toolbar">
      <span data-testid="who">{user} @ {workspaceId}</span>
      <label className="offline">
        <input type="checkbox" data-testid="offline-switch" checked={offline} onChange={(e) => setOffline(e.target.checked)} /> offline
      </label>
      <button data-testid="sync-button" onClick={() => void sync()} disabled={syncing}>Sync</button>
      <progress data-testid="sync-progress" max={Math.max(progress?.total ?? 0, 1)} value={progress?.total ? done : 0} />
      <span data-testid="progress-text">{progress ? `${done}/${progress.total}` : "–"}</span>
      <span data-testid="pending-count">{pending} pending</span>
      <span data-testid="last-report">
        {lastReport ? (lastReport.failure ? `not synced: ${lastReport.failure.code}` : `synced ${lastReport.successful}/${lastReport.total}${lastReport.merged ? ` (${lastReport.merged} merged)` : ""}, ${lastReport.conflicts.length} conflicts`) : ""}
      </span>
      <SyncChart />
      <button onClick={() => onLogout(false)} data-testid="logout">Log out</button>
      <button onClick={() => onLogout(true)} data-testid="logout-wipe" title="Deletes this device's copy, unsent edits included">Log out and wipe</button>
    </header>
  );
}

/** The recent syncs as small bars: height = duration, red = stopped early; hover for the numbers. */
export function SyncChart() {
  const stats = useSyncStats().slice(-20);
  const longest = Math.max(1, ...stats.map((s) => s.duration_ms));
  const width = 6;
  return (
    <svg className="sync-chart" data-testid="sync-chart" width={20 * (width + 2)} height={28} role="img" aria-label="recent syncs">
      {stats.map((s, i) => {
        const height = Math.max(2, Math.round((s.duration_ms / longest) * 26));
        return (
          <rect key={`${s.started_at}-${i}`} data-testid="sync-bar" x={i * (width + 2)} y={28 - height} width={width} height={height}
            className={s.failure ? "failed" : s.conflicts || s.errors ? "mixed" : "ok"}>
            <title>{describe(s)}</title>
          </rect>
        );
      })}
    </svg>
  );
}

function describe(s: SyncStats): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
  return `${new Date(s.started_at).toLocaleTimeString()}: ${s.duration_ms.toFixed(0)} ms, ${s.operations} ops in ${s.batch_sizes.length} pushes`
    + ` (${s.batch_sizes.join("/") || "–"}), ${s.requests} requests, ${s.retries} retries, ↑${kb(s.bytes_up)} ↓${kb(s.bytes_down)}`
    + `${s.ttfb_ms === null ? "" : `, first byte ${s.ttfb_ms.toFixed(0)} ms`}${s.failure ? `, stopped: ${s.failure}` : ""}`;
}

export function DocumentList({ selected, onSelect }: { selected: string | null; onSelect: (id: string) => void }) {
  const client = useDocsync();
  const { data, status } = useDocuments();
  const create = async () => {
    const doc = await client?.documents.create({ title: "Untitled", content: "" });
    if (doc) onSelect(doc.document_id);
  };
  return (
    <nav className="list">
      <button data-testid="new-document" onClick={() => void create()}>+ New document</button>
      {status === "loading" && <p>Loading…</p>}
      <ul data-testid="document-list">
        {data.map((doc) => (
          <li key={doc.document_id} data-testid={`doc-${doc.document_id}`} data-title={doc.title}
            className={`${doc.document_id === selected ? "selected" : ""} ${doc.deleted ? "deleted" : ""}`}
            onClick={() => onSelect(doc.document_id)}>
            <span className="title">{doc.title || "(untitled)"}</span>
            <span className="marks">
              {doc.merged && <span className="mark merged" data-testid="merged-badge" title={mergedTitle(doc)}>merged</span>}
              <span className={`mark ${doc.sync_status}`} data-testid="mark" title={doc.error?.message}>{doc.sync_status}</span>
            </span>
          </li>
        ))}
      </ul>
    </nav>
  );
}

const mergedTitle = (doc: LocalDocument) => doc.merged
  ? `my edit of version ${doc.merged.from_base_version} was merged with the others' into version ${doc.merged.version} (${doc.merged.algorithm})`
  : "";

/** What the editor loads from a document: my side of a conflict, else the document's fields. */
const fieldsOf = (doc: LocalDocument) => (doc.conflict
  ? { title: doc.conflict.mine.title, content: doc.conflict.mine.content }
  : { title: doc.title, content: doc.content });

/** The editor's fields: the document and copy (version and status) they were loaded from, what was loaded, and what is typed. */
interface Form {
  id: string;
  copy: string;
  loaded: { title: string; content: string };
  title: string;
  content: string;
}

export function Editor({ id, onGone, readContent }: { id: string; onGone: () => void; readContent: ReadContent }) {
  const client = useDocsync();
  const { data } = useDocuments();
  const doc = data.find((d) => d.document_id === id);
  const [form, setForm] = useState<Form | null>(null);
  // The fields are loaded while rendering, so the commit that shows a document (selected, or just created) shows its
  // fields. An effect loaded them one task later: meanwhile the input held the previous document's title, and text
  // typed then was lost or appended to it (flow 2 of the e2e test saved "BetaBeta v2"). They are loaded again when the
  // copy changes (auto-sync confirming my create, another user's edit coming in live), never over unsaved typing.
  const copy = doc ? `${doc.version}/${doc.sync_status}` : "";
  if (doc && (form?.id !== id || form.copy !== copy)) {
    const typing = form !== null && form.id === id && (form.title !== form.loaded.title || form.content !== form.loaded.content);
    const loaded = fieldsOf(doc);
    setForm(typing ? { ...form, copy } : { id, copy, loaded, ...loaded });
  }
  if (!doc || !form) return <section className="editor"><p>Select a document.</p></section>;
  if (doc.conflict) return <ConflictView doc={doc} readContent={readContent} />;
  const { title, content } = form;
  const change = (fields: Partial<Pick<Form, "title" | "content">>) => setForm((f) => f && { ...f, ...fields });
  const save = () => {
    setForm({ ...form, loaded: { title, content } });
    void client?.documents.update(id, { title, content });
  };
  const remove = async () => {
    await client?.documents.delete(id);
    if (!(await client?.documents.get(id))) onGone();
  };
  return (
    <section className="editor" data-testid="editor">
      <input data-testid="title-input" value={title} onChange={(e) => change({ title: e.target.value })} disabled={doc.deleted} />
      <textarea data-testid="content-input" rows={12} value={content} onChange={(e) => change({ content: e.target.value })} disabled={doc.deleted} />
      <div className="actions">
        <button data-testid="save-button" onClick={save} disabled={doc.deleted}>Save</button>
        <button data-testid="delete-button" onClick={() => void remove()} disabled={doc.deleted}>Delete</button>
        {doc.sync_status === "error" && (
          <>
            <button data-testid="retry-button" onClick={() => void client?.retry(id)}>Send mine again</button>
            <button data-testid="discard-button" onClick={() => void client?.discard(id)}>Take the server's</button>
          </>
        )}
        <span className="meta">version {doc.version ?? "–"} · {doc.sync_status}{doc.error ? ` (${doc.error.code}: ${doc.error.message})` : ""}
          {doc.merged ? ` · ${mergedTitle(doc)}` : ""}</span>
      </div>
    </section>
  );
}

function ConflictView({ doc, readContent }: { doc: LocalDocument; readContent: ReadContent }) {
  const client = useDocsync();
  const conflict = doc.conflict!;
  const { mine, theirs, merge } = conflict;
  const [merging, setMerging] = useState<string | null>(null);
  const keep = (choice: "mine" | "theirs") => void client?.resolve(doc.document_id, choice);
  const lines = conflictDiff(mine.content, theirs.content, merge?.hunks ?? []);
  // The merged text needs the base both edits started from: read from the server (its history keeps every version).
  const editMerged = async () => {
    const base = merge ? await readContent(doc.document_id, merge.from_base_version).catch(() => undefined) : undefined;
    setMerging(base === undefined
      ? `<<<<<<< mine\n${mine.content}\n=======\n${theirs.content}\n>>>>>>> theirs\n`
      : mergedText(base, mine.content, theirs.content).text);
  };
  // Saving: the text becomes my version, sent on the server's version (like "keep mine").
  const saveMerged = async () => {
    await client?.documents.update(doc.document_id, { content: merging ?? "" });
    await client?.resolve(doc.document_id, "mine");
  };
  const editable = !mine.deleted && !theirs.deleted;
  return (
    <section className="conflict" data-testid="conflict-view">
      <h3>Conflict: someone else changed this document</h3>
      {merge?.fields && <p className="meta" data-testid="conflict-fields">Both changed: {merge.fields.join(", ")}</p>}
      <div className="sides">
        <div data-testid="conflict-mine">
          <h4>Mine</h4>
          <p className="title">{mine.deleted ? "(deleted)" : mine.title}</p>
          <pre>{mine.content}</pre>
          <button data-testid="keep-mine" onClick={() => keep("mine")}>Keep mine</button>
        </div>
        <div data-testid="conflict-theirs">
          <h4>Theirs (version {theirs.version}, by {theirs.updated_by})</h4>
          <p className="title">{theirs.deleted ? "(deleted)" : theirs.title}</p>
          <pre>{theirs.content}</pre>
          <button data-testid="keep-theirs" onClick={() => keep("theirs")}>Keep theirs</button>
        </div>
      </div>
      {editable && (
        <>
          <h4>Mine (−) against theirs (+){merge?.hunks?.length ? ", colliding lines marked" : ""}</h4>
          <div className="diff" data-testid="conflict-diff">
            {lines.map((line, i) => (
              <div key={i} className={`line ${line.side}${line.collides ? " collides" : ""}`} data-testid={line.collides ? "collide-line" : "diff-line"}>
                <span className="sign">{line.side === "mine" ? "−" : line.side === "theirs" ? "+" : " "}</span>{line.text.replace(/\n$/, "")}
              </div>
            ))}
          </div>
          {merging === null ? (
            <div className="actions"><button data-testid="edit-merged" onClick={() => void editMerged()}>Edit the merged text</button></div>
          ) : (
            <>
              <textarea data-testid="merged-input" rows={12} value={merging} onChange={(e) => setMerging(e.target.value)} />
              <div className="actions">
                <button data-testid="save-merged" onClick={() => void saveMerged()} disabled={merging.includes("<<<<<<< mine")}>Save the merged text</button>
                <button onClick={() => setMerging(null)}>Cancel</button>
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}
