import type { IDBPObjectStore, StoreNames } from "idb";
import type { DocsyncDB, QueuedBatch, QueuedOperation, Store, StoredDocument } from "./store.js";
import type {
  Conflict,
  DocumentFields,
  DocumentView,
  MyVersion,
  NewDocumentInput,
  OperationError,
  OperationRequest,
  OperationResult,
} from "./types.js";

/** The server's limits for one batch (DESIGN §3.1): 100 operations, 10 MiB of body. */
export const MAX_OPERATIONS = 100;
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

type QueueStore<Tx extends ArrayLike<StoreNames<DocsyncDB>>> = IDBPObjectStore<DocsyncDB, Tx, "queue", "readwrite">;

/** Thrown for edits that make no sense locally (unknown document, edit after delete, duplicate create). */
export class LocalEditError extends Error {
  override readonly name = "LocalEditError";
}

const encoder = new TextEncoder();

/** The fields as they travel: only those given, and no null (the API has no way to clear a field). */
export type WireFields = { title?: string; content?: string; yjs_state_b64?: string };

function defined(fields: DocumentFields): WireFields {
  const out: WireFields = {};
  if (fields.title !== undefined) out.title = fields.title;
  if (fields.content !== undefined) out.content = fields.content;
  if (fields.yjs_state_b64 !== undefined && fields.yjs_state_b64 !== null) out.yjs_state_b64 = fields.yjs_state_b64;
  return out;
}

function mineOf(doc: StoredDocument): MyVersion {
  return { title: doc.title, content: doc.content, yjs_state_b64: doc.yjs_state_b64, deleted: doc.deleted };
}

async function openEntry<Tx extends ArrayLike<StoreNames<DocsyncDB>>>(queue: QueueStore<Tx>, documentId: string): Promise<QueuedOperation | undefined> {
  const entries = await queue.index("by_document").getAll(documentId);
  return entries.filter((e) => e.batch_key === null).sort((a, b) => (a.id ?? 0) - (b.id ?? 0)).at(-1);
}

async function dropOpenEntries<Tx extends ArrayLike<StoreNames<DocsyncDB>>>(queue: QueueStore<Tx>, documentId: string): Promise<number> {
  const entries = await queue.index("by_document").getAll(documentId);
  const open = entries.filter((e) => e.batch_key === null);
  for (const entry of open) await queue.delete(entry.id!);
  return entries.length - open.length;
}

/** Queues a create; the document exists locally at once, `pending`, with a client-chosen id. */
export async function queueCreate(store: Store, input: NewDocumentInput, now: string): Promise<StoredDocument> {
  const id = input.document_id ?? crypto.randomUUID();
  const tx = store.transaction(["documents", "queue"], "readwrite");
  if (await tx.objectStore("documents").get(id)) {
    tx.abort();
    await tx.done.catch(() => undefined);
    throw new LocalEditError(`document ${id} exists locally`);
  }
  const doc: StoredDocument = {
    document_id: id,
    title: input.title ?? "",
    content: input.content ?? "",
    yjs_state_b64: input.yjs_state_b64 ?? null,
    version: null,
    sync_status: "pending",
    updated_at: now,
    updated_by: null,
    deleted: false,
  };
  await tx.objectStore("documents").put(doc);
  await tx.objectStore("queue").add({
    document_id: id,
    operation: "create",
    data: defined({ title: doc.title, content: doc.content, yjs_state_b64: doc.yjs_state_b64 }),
    batch_key: null,
  });
  await tx.done;
  return doc;
}

/**
 * Queues an update, coalesced: into an open create (still one create) or an open update (one update; its
 * base_version is the last synced version, read when the batch is built).
 */
export async function queueUpdate(store: Store, id: string, fields: DocumentFields, now: string): Promise<StoredDocument> {
  const tx = store.transaction(["documents", "queue"], "readwrite");
  const doc = await tx.objectStore("documents").get(id);
  const problem = !doc ? `document ${id} is not known locally` : doc.deleted ? `document ${id} is deleted` : null;
  if (problem || !doc) {
    tx.abort();
    await tx.done.catch(() => undefined);
    throw new LocalEditError(problem ?? id);
  }
  const changes = defined(fields);
  Object.assign(doc, changes, { updated_at: now });
  if (doc.sync_status === "conflict" && doc.conflict) {
    // My side of the conflict grows; nothing travels until resolve().
    doc.conflict.mine = mineOf(doc);
  } else {
    const entry = await openEntry(tx.objectStore("queue"), id);
    if (entry) {
      entry.data = { ...entry.data, ...changes };
      await tx.objectStore("queue").put(entry);
    } else if (doc.version === null && (await tx.objectStore("queue").index("by_document").count(id)) === 0) {
      // Its create failed (the document shows the error): an edit tries the create again, with all fields.
      await tx.objectStore("queue").add({ document_id: id, operation: "create", data: defined(doc), batch_key: null });
    } else {
      await tx.objectStore("queue").add({ document_id: id, operation: "update", data: changes, batch_key: null });
    }
    doc.sync_status = "pending";
    delete doc.error;
  }
  await tx.objectStore("documents").put(doc);
  await tx.done;
  return doc;
}

/** Queues a delete: a never-synced create and its delete cancel out (nothing travels); an open update becomes it. */
export async function queueDelete(store: Store, id: string, now: string): Promise<void> {
  const tx = store.transaction(["documents", "queue"], "readwrite");
  const doc = await tx.objectStore("documents").get(id);
  if (!doc || doc.deleted) {
    tx.abort();
    await tx.done.catch(() => undefined);
    throw new LocalEditError(`document ${id} is not known locally or already deleted`);
  }
  doc.deleted = true;
  doc.updated_at = now;
  if (doc.sync_status === "conflict" && doc.conflict) {
    doc.conflict.mine = mineOf(doc);
    await tx.objectStore("documents").put(doc);
  } else {
    const entry = await openEntry(tx.objectStore("queue"), id);
    const neverCreated = doc.version === null && (await tx.objectStore("queue").index("by_document").count(id)) === 0;
    if (neverCreated) {
      await tx.objectStore("documents").delete(id);
    } else if (entry?.operation === "create") {
      await tx.objectStore("queue").delete(entry.id!);
      const inFlight = (await tx.objectStore("queue").index("by_document").getAll(id)).length;
      if (inFlight === 0) await tx.objectStore("documents").delete(id);
      else await tx.objectStore("documents").put({ ...doc, sync_status: "pending" });
    } else {
      if (entry) {
        entry.operation = "delete";
        entry.data = {};
        await tx.objectStore("queue").put(entry);
      } else {
        await tx.objectStore("queue").add({ document_id: id, operation: "delete", data: {}, batch_key: null });
      }
      doc.sync_status = "pending";
      delete doc.error;
      await tx.objectStore("documents").put(doc);
    }
  }
  await tx.done;
}

/** Everything queued and not yet confirmed, in queue order; `batch_key` says it is already travelling. */
export async function pendingOperations(store: Store): Promise<QueuedOperation[]> {
  return store.getAll("queue");
}

/**
 * The batch to send next: one left from an earlier attempt (same key, same bytes: a retry after a drop, a reload
 * or a crash never applies twice), else a new one of open entries within the server's limits, frozen and stored
 * with its key before anything is sent.
 */
export async function nextBatch(store: Store, workspaceId: string): Promise<QueuedBatch | undefined> {
  const tx = store.transaction(["documents", "queue", "batches"], "readwrite");
  const waiting = await tx.objectStore("batches").getAll();
  if (waiting.length > 0) {
    await tx.done;
    return waiting.sort((a, b) => a.created_at.localeCompare(b.created_at))[0];
  }
  const key = crypto.randomUUID();
  const operations: OperationRequest[] = [];
  const ids: number[] = [];
  const envelope = encoder.encode(JSON.stringify({ workspace_id: workspaceId, atomic: false, operations: [] })).length;
  let bytes = envelope;
  let cursor = await tx.objectStore("queue").openCursor();
  while (cursor && operations.length < MAX_OPERATIONS) {
    const entry = cursor.value;
    if (entry.batch_key === null) {
      const doc = await tx.objectStore("documents").get(entry.document_id);
      const operation: OperationRequest = { client_id: `op_${entry.id}`, operation: entry.operation, document_id: entry.document_id };
      if (entry.operation !== "create") {
        if (doc?.version == null) {
          // Its create never succeeded (that is an error already shown on the document): nothing to base this on.
          cursor = await cursor.continue();
          continue;
        }
        operation.base_version = doc.version;
      }
      if (entry.operation !== "delete") operation.data = entry.data;
      const size = encoder.encode(JSON.stringify(operation)).length + 1;
      if (operations.length > 0 && bytes + size > MAX_BODY_BYTES) break;
      bytes += size;
      operations.push(operation);
      ids.push(entry.id!);
      await cursor.update({ ...entry, batch_key: key });
    }
    cursor = await cursor.continue();
  }
  if (operations.length === 0) {
    await tx.done;
    return undefined;
  }
  const batch: QueuedBatch = {
    key,
    body: JSON.stringify({ workspace_id: workspaceId, atomic: false, operations }),
    operation_ids: ids,
    created_at: new Date().toISOString(),
  };
  await tx.objectStore("batches").put(batch);
  await tx.done;
  return batch;
}

export interface Settled {
  successful: number;
  conflicts: Conflict[];
  errors: OperationError[];
  /** Conflicts whose result carried no `current`: the caller reads those documents and calls `markConflict`. */
  missingCurrent: string[];
}

/** Writes a batch's per-operation results into the store and forgets the batch, all in one transaction. */
export async function settleBatch(store: Store, batch: QueuedBatch, results: OperationResult[]): Promise<Settled> {
  const tx = store.transaction(["documents", "queue", "batches"], "readwrite");
  const settled: Settled = { successful: 0, conflicts: [], errors: [], missingCurrent: [] };
  for (const result of results) {
    const entryId = Number(result.client_id.replace(/^op_/, ""));
    const entry = await tx.objectStore("queue").get(entryId);
    if (!entry || entry.batch_key !== batch.key) continue;
    await tx.objectStore("queue").delete(entryId);
    const doc = await tx.objectStore("documents").get(entry.document_id);
    if (!doc) continue;
    const remaining = await tx.objectStore("queue").index("by_document").count(entry.document_id);
    if (result.status === "success") {
      settled.successful++;
      if (entry.operation === "delete") {
        await tx.objectStore("documents").delete(doc.document_id);
        continue;
      }
      doc.version = result.version ?? doc.version;
      if (remaining === 0) doc.sync_status = "synced";
      delete doc.error;
    } else if (result.status === "conflict") {
      await dropOpenEntries(tx.objectStore("queue"), doc.document_id);
      if (result.current) {
        const conflict = conflictOf(doc, result.current);
        settled.conflicts.push(conflict);
      } else {
        // current_omitted: the result's budget of current states ran out; the sync reads this document.
        settled.missingCurrent.push(doc.document_id);
        doc.sync_status = "conflict";
      }
    } else {
      await dropOpenEntries(tx.objectStore("queue"), doc.document_id);
      const error: OperationError = {
        document_id: doc.document_id,
        client_id: result.client_id,
        operation: result.operation,
        code: result.error?.code ?? result.status,
        message: result.error?.message ?? result.status,
      };
      doc.sync_status = "error";
      doc.error = error;
      settled.errors.push(error);
    }
    await tx.objectStore("documents").put(doc);
  }
  await tx.objectStore("batches").delete(batch.key);
  await tx.done;
  return settled;
}

function conflictOf(doc: StoredDocument, theirs: DocumentView): Conflict {
  const conflict: Conflict = { document_id: doc.document_id, mine: mineOf(doc), theirs };
  doc.sync_status = "conflict";
  doc.conflict = conflict;
  return conflict;
}

/**
 * The server refused the whole batch (400/413/422; nothing of it was written). When the problem's pointers name
 * operations (`/operations/3/data/title`), only those end as errors and the others go back to the queue, to travel
 * in the next batch (under a new Idempotency-Key: the refused request left nothing to repeat). Otherwise each
 * operation ends as an error with that reason.
 */
export async function rejectBatch(store: Store, batch: QueuedBatch, code: string, message: string,
  culprits?: ReadonlySet<number>): Promise<OperationError[]> {
  // Pointers beyond the batch would reject nothing and send the same request again: then reject it all.
  const named = culprits && [...culprits].some((i) => i < batch.operation_ids.length) ? culprits : undefined;
  const tx = store.transaction(["documents", "queue", "batches"], "readwrite");
  const errors: OperationError[] = [];
  for (const [index, id] of batch.operation_ids.entries()) {
    const entry = await tx.objectStore("queue").get(id);
    if (!entry) continue;
    if (named && !named.has(index)) {
      await tx.objectStore("queue").put({ ...entry, batch_key: null });
      continue;
    }
    await tx.objectStore("queue").delete(id);
    await dropOpenEntries(tx.objectStore("queue"), entry.document_id);
    const doc = await tx.objectStore("documents").get(entry.document_id);
    const error: OperationError = { document_id: entry.document_id, client_id: `op_${id}`, operation: entry.operation, code, message };
    errors.push(error);
    if (doc) await tx.objectStore("documents").put({ ...doc, sync_status: "error", error });
  }
  await tx.objectStore("batches").delete(batch.key);
  await tx.done;
  return errors;
}

/** The indexes of the operations a refused request's problem points to; undefined when it names none. */
export function refusedOperations(problem: { errors?: { pointer: string }[] }): Set<number> | undefined {
  const indexes = new Set<number>();
  for (const error of problem.errors ?? []) {
    const match = /^\/operations\/(\d+)(\/|$)/.exec(error.pointer);
    if (!match) return undefined; // a problem of the request as a whole (workspace_id, size, ...)
    indexes.add(Number(match[1]));
  }
  return indexes.size > 0 ? indexes : undefined;
}

/** A conflict found without `current` (or by the change feed): record the server's state beside mine. */
export async function markConflict(store: Store, theirs: DocumentView): Promise<Conflict | undefined> {
  const tx = store.transaction(["documents", "queue"], "readwrite");
  const doc = await tx.objectStore("documents").get(theirs.document_id);
  if (!doc) {
    await tx.done;
    return undefined;
  }
  await dropOpenEntries(tx.objectStore("queue"), doc.document_id);
  const conflict = conflictOf(doc, theirs);
  await tx.objectStore("documents").put(doc);
  await tx.done;
  return conflict;
}

export type RemoteOutcome = "refreshed" | "removed" | "conflict" | "unchanged";

/**
 * A document another client changed (from the change feed): taken over when nothing of mine is pending, a
 * conflict when something is (never overwriting a pending local edit). `null` means it is gone (404).
 */
export async function applyRemote(store: Store, id: string, theirs: DocumentView | null): Promise<{ outcome: RemoteOutcome; conflict?: Conflict }> {
  const tx = store.transaction(["documents", "queue"], "readwrite");
  const documents = tx.objectStore("documents");
  const doc = await documents.get(id);
  const queued = await tx.objectStore("queue").index("by_document").count(id);
  let result: { outcome: RemoteOutcome; conflict?: Conflict } = { outcome: "unchanged" };
  if (doc && theirs && doc.version !== null && doc.version >= theirs.version) {
    result = { outcome: "unchanged" };
  } else if (doc && (queued > 0 || doc.sync_status === "conflict")) {
    const entries = await tx.objectStore("queue").index("by_document").getAll(id);
    const inFlight = entries.some((e) => e.batch_key !== null);
    // In flight: its own result will tell. Gone (404) with my edits pending: the push will report it.
    if (theirs && !inFlight && doc.conflict?.theirs.version !== theirs.version) {
      await dropOpenEntries(tx.objectStore("queue"), id);
      const conflict = conflictOf(doc, theirs);
      await documents.put(doc);
      result = { outcome: "conflict", conflict };
    }
  } else if (!theirs || theirs.deleted) {
    if (doc) {
      await documents.delete(id);
      result = { outcome: "removed" };
    }
  } else {
    await documents.put(fromServer(theirs));
    result = { outcome: "refreshed" };
  }
  await tx.done;
  return result;
}

export function fromServer(view: DocumentView): StoredDocument {
  return {
    document_id: view.document_id,
    title: view.title,
    content: view.content,
    yjs_state_b64: view.yjs_state_b64,
    version: view.version,
    sync_status: "synced",
    updated_at: view.updated_at,
    updated_by: view.updated_by,
    deleted: false,
  };
}

/**
 * Settles a conflict. "theirs": the local copy becomes the server's. "mine": my edit is queued again on the
 * server's version (an update with all my fields, or my delete); a document the other side deleted cannot be
 * revived (ids are never reused), so that ends as an error.
 */
export async function resolveConflict(store: Store, id: string, choice: "mine" | "theirs", now: string): Promise<StoredDocument | undefined> {
  const tx = store.transaction(["documents", "queue"], "readwrite");
  const documents = tx.objectStore("documents");
  const doc = await documents.get(id);
  if (!doc?.conflict) {
    tx.abort();
    await tx.done.catch(() => undefined);
    throw new LocalEditError(`document ${id} is not in conflict`);
  }
  const { mine, theirs } = doc.conflict;
  await dropOpenEntries(tx.objectStore("queue"), id);
  let out: StoredDocument | undefined;
  if (choice === "theirs" || (mine.deleted && theirs.deleted)) {
    if (theirs.deleted) await documents.delete(id);
    else await documents.put((out = fromServer(theirs)));
  } else if (theirs.deleted) {
    const error: OperationError = { document_id: id, code: "deleted", message: "the document was deleted on the server" };
    out = { ...doc, version: theirs.version, sync_status: "error", error, updated_at: now };
    delete out.conflict;
    await documents.put(out);
  } else {
    out = { ...doc, ...mine, version: theirs.version, sync_status: "pending", updated_at: now };
    delete out.conflict;
    delete out.error;
    await documents.put(out);
    await tx.objectStore("queue").add(
      mine.deleted
        ? { document_id: id, operation: "delete", data: {}, batch_key: null }
        : { document_id: id, operation: "update", data: defined(mine), batch_key: null },
    );
  }
  await tx.done;
  return out;
}
