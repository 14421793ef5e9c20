import { newId } from "./ids.js";
import { conflictOf, defined, dropOpenEntries, entriesOf, isOpen, mineOf, refuse, write, type Tx, type WireFields } from "./local.js";
import { fromServer, type QueuedBatch, type QueuedOperation, type Store, type StoredDocument } from "./store.js";
import type {
  Conflict, DocumentFields, DocumentView, MergeInfo, MergedMark, NewDocumentInput, OperationError, OperationRequest, OperationResult,
} from "./types.js";
import { mergeYjsStates } from "./yjs.js";

/** The server's limits for one batch (DESIGN §3.1): 100 operations, 10 MiB of body. */
export const MAX_OPERATIONS = 100;
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/**
 * How many times in a row a document whose Yjs state collided is merged here and sent again before the collision is
 * left to the user as a conflict (each send met yet another writer's state; a success starts the count again).
 */
export const MAX_YJS_MERGES = 3;

/** What a stale update does on the server: `report` it as a conflict (the default) or `merge` it three-way. */
export type OnConflict = "report" | "merge";

export { LocalEditError } from "./local.js";

const encoder = new TextEncoder();

/** Two edits of one document as one: a create absorbs updates, a delete ends everything, a create then delete is nothing. */
function coalesce(older: QueuedOperation, newer: QueuedOperation): QueuedOperation | null {
  if (newer.operation === "delete") return older.operation === "create" ? null : { ...older, operation: "delete", data: {} };
  return { ...older, data: { ...older.data, ...newer.data } };
}

/** Folds a document's open entries into one (a reopened entry and a newer edit must not travel as two). */
async function foldOpenEntries(tx: Tx, documentId: string): Promise<void> {
  const entries = await entriesOf(tx, documentId);
  const open = entries.filter(isOpen);
  if (open.length <= 1) return;
  // Entries with their own base_version (re-sent after a Yjs merge) go separately: folded, one would take the
  // other's base and write fields over the server's instead of being merged with them.
  if (open.some((e) => e.base_version !== open[0]!.base_version)) return;
  let folded: QueuedOperation | null = open[0]!;
  for (const next of open.slice(1)) folded = folded ? coalesce(folded, next) : next;
  for (const entry of open) await tx.objectStore("queue").delete(entry.id!);
  if (folded) {
    await tx.objectStore("queue").put({ ...folded, id: open[0]!.id });
  } else if (entries.length === open.length) {
    const doc = await tx.objectStore("documents").get(documentId);
    if (doc?.version === null) await tx.objectStore("documents").delete(documentId);
  }
}

/** Queues a create; the document exists locally at once, `pending`, with a client-chosen id. */
export async function queueCreate(store: Store, input: NewDocumentInput, now: string): Promise<StoredDocument> {
  const id = input.document_id ?? newId();
  const tx = write(store);
  if (await tx.objectStore("documents").get(id)) return refuse(tx, `document ${id} exists locally`);
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
  await tx.objectStore("queue").add({ document_id: id, operation: "create", data: defined(doc), batch_key: null });
  await tx.done;
  return doc;
}

/**
 * Queues an update, coalesced into the document's open entry (a create stays one create; updates stay one update
 * whose base_version is read when the batch is built). A document in conflict or error only changes locally: nothing
 * of it travels until the user decides (resolve, retry, discard).
 */
export async function queueUpdate(store: Store, id: string, fields: DocumentFields, now: string): Promise<StoredDocument> {
  const tx = write(store);
  const doc = await tx.objectStore("documents").get(id);
  if (!doc) return refuse(tx, `document ${id} is not known locally`);
  if (doc.deleted) return refuse(tx, `document ${id} is deleted`);
  const changes = defined(fields);
  Object.assign(doc, changes, { updated_at: now });
  delete doc.merged;
  if (doc.sync_status === "conflict" || doc.sync_status === "error") {
    if (doc.conflict) doc.conflict.mine = mineOf(doc);
  } else {
    const entry = (await entriesOf(tx, id)).filter(isOpen).at(-1);
    if (entry) await tx.objectStore("queue").put({ ...entry, data: { ...entry.data, ...changes } });
    else await tx.objectStore("queue").add({ document_id: id, operation: "update", data: changes, batch_key: null });
    doc.sync_status = "pending";
  }
  await tx.objectStore("documents").put(doc);
  await tx.done;
  return doc;
}

/** Queues a delete: a document that never reached the server just goes; an open update becomes the delete. */
export async function queueDelete(store: Store, id: string, now: string): Promise<void> {
  const tx = write(store);
  const doc = await tx.objectStore("documents").get(id);
  if (!doc || doc.deleted) return refuse(tx, `document ${id} is not known locally or already deleted`);
  doc.deleted = true;
  doc.updated_at = now;
  delete doc.merged;
  const entries = await entriesOf(tx, id);
  const inFlight = entries.some((e) => !isOpen(e));
  if (doc.sync_status === "conflict") {
    if (doc.conflict) doc.conflict.mine = mineOf(doc);
    await tx.objectStore("documents").put(doc);
  } else if (doc.version === null && !inFlight) {
    await dropOpenEntries(tx, id);
    await tx.objectStore("documents").delete(id);
  } else {
    await dropOpenEntries(tx, id);
    await tx.objectStore("queue").add({ document_id: id, operation: "delete", data: {}, batch_key: null });
    doc.sync_status = "pending";
    delete doc.error;
    await tx.objectStore("documents").put(doc);
  }
  await tx.done;
}

/** Everything queued and not yet confirmed, in queue order; `batch_key` says it is already travelling. */
export async function pendingOperations(store: Store): Promise<QueuedOperation[]> {
  return store.getAll("queue");
}

/** The oldest batch stored by an earlier attempt (this tab's or another's), to be sent again with its key. */
export async function storedBatch(store: Store): Promise<QueuedBatch | undefined> {
  const waiting = await store.getAll("batches");
  return waiting.sort((a, b) => a.created_at.localeCompare(b.created_at))[0];
}

/**
 * A new batch of open entries within the limits, frozen and stored with its Idempotency-Key before anything is sent.
 * One entry per document; an update or delete waits while its document's create is still travelling.
 */
export async function buildBatch(store: Store, workspaceId: string, maxOperations = MAX_OPERATIONS, now = new Date(),
  onConflict: OnConflict = "report"): Promise<QueuedBatch | undefined> {
  const tx = write(store);
  const key = newId();
  const operations: OperationRequest[] = [];
  const ids: number[] = [];
  const documents = new Set<string>();
  const head = { workspace_id: workspaceId, atomic: false, ...(onConflict === "merge" ? { on_conflict: "merge" } : {}) };
  let bytes = encoder.encode(JSON.stringify({ ...head, operations: [] })).length;
  let cursor = await tx.objectStore("queue").openCursor();
  while (cursor && operations.length < maxOperations) {
    const entry = cursor.value;
    if (isOpen(entry) && !documents.has(entry.document_id)) {
      const doc = await tx.objectStore("documents").get(entry.document_id);
      const operation: OperationRequest = { client_id: `op_${entry.id}`, operation: entry.operation, document_id: entry.document_id };
      if (entry.operation !== "create") operation.base_version = entry.base_version ?? doc?.version ?? undefined;
      if (entry.operation !== "delete") operation.data = entry.data;
      const size = encoder.encode(JSON.stringify(operation)).length + 1;
      if (operations.length > 0 && bytes + size > MAX_BODY_BYTES) break;
      documents.add(entry.document_id);
      if (entry.operation === "create" || operation.base_version != null) {
        bytes += size;
        operations.push(operation);
        ids.push(entry.id!);
        await cursor.update({ ...entry, batch_key: key });
      }
    }
    cursor = await cursor.continue();
  }
  if (operations.length === 0) {
    await tx.done;
    return undefined;
  }
  const batch: QueuedBatch = {
    key,
    body: JSON.stringify({ ...head, operations }),
    operation_ids: ids,
    created_at: now.toISOString(),
  };
  await tx.objectStore("batches").put(batch);
  await tx.done;
  return batch;
}

/** The batch to send next: a stored one (same key, same bytes), else a new one. */
export async function nextBatch(store: Store, workspaceId: string, maxOperations = MAX_OPERATIONS,
  onConflict: OnConflict = "report"): Promise<QueuedBatch | undefined> {
  return (await storedBatch(store)) ?? buildBatch(store, workspaceId, maxOperations, new Date(), onConflict);
}

/** What became of one queued operation. `reopen`: it travels again in a later batch, under a new key. */
export type Outcome =
  | { kind: "success"; version?: number; current?: DocumentView; merge?: MergeInfo }
  | { kind: "conflict"; current?: DocumentView; merge?: MergeInfo }
  | { kind: "error"; error: OperationError }
  | { kind: "reopen" };

export interface Settled {
  /** Operations of this batch settled here (not by another tab, not reopened). */
  settled: number;
  successful: number;
  /** Of the successful: merged ones (server merges, and Yjs states merged here). */
  merged: number;
  /** Operations whose Yjs collision was merged here and queued again (they travel in a later batch of this sync). */
  resent: number;
  conflicts: Conflict[];
  errors: OperationError[];
  /** Conflicts whose result carried no `current` (`current_omitted`): the sync reads those documents. */
  unread: string[];
  reopened: number;
  /** Documents whose local copy changed. */
  ids: string[];
}

/**
 * Writes what became of each operation of a batch into the store and forgets the batch, in one transaction. An
 * entry that no longer carries this batch's key was settled already (by another tab, or an earlier answer) and is
 * left alone. Every settled edit ends `synced`, `conflict` or `error`, and a conflict or error keeps my content.
 */
async function settle(store: Store, batch: QueuedBatch, outcomeOf: (entry: QueuedOperation, index: number) => Outcome): Promise<Settled> {
  const tx = write(store);
  const out: Settled = { settled: 0, successful: 0, merged: 0, resent: 0, conflicts: [], errors: [], unread: [], reopened: 0, ids: [] };
  for (const [index, id] of batch.operation_ids.entries()) {
    const entry = await tx.objectStore("queue").get(id);
    if (!entry || entry.batch_key !== batch.key) continue;
    const outcome = outcomeOf(entry, index);
    if (outcome.kind === "reopen") {
      await tx.objectStore("queue").put({ ...entry, batch_key: null });
      await foldOpenEntries(tx, entry.document_id);
      out.reopened++;
      continue;
    }
    await tx.objectStore("queue").delete(id);
    out.settled++;
    const doc = await tx.objectStore("documents").get(entry.document_id);
    if (!doc) continue;
    out.ids.push(doc.document_id);
    const rest = await entriesOf(tx, doc.document_id);
    if (outcome.kind === "success") {
      out.successful++;
      delete doc.yjs_merges;
      if (entry.operation === "delete") {
        await tx.objectStore("documents").delete(doc.document_id);
        continue;
      }
      const mark = mergedMark(entry, outcome);
      if (mark) out.merged++;
      // A server merge with newer edits of mine still queued: the copy stays on the version those edits were made
      // on, so that they are merged with what the others wrote too rather than written over it.
      // The same when the answer left the merged state out (over its budget): the pull then brings it.
      if (!(outcome.merge && (rest.length > 0 || !outcome.current))) doc.version = outcome.version ?? doc.version;
      if (rest.length === 0) {
        Object.assign(doc, outcome.current ? fromServer(outcome.current) : { sync_status: "synced" });
        delete doc.error;
        delete doc.merged;
        if (mark) doc.merged = mark;
      }
    } else if (outcome.kind === "conflict") {
      if (outcome.current && outcome.merge && (await requeueMergedYjs(tx, doc, entry, outcome.current, outcome.merge))) {
        // Not settled: it travels again, merged.
        out.settled--;
        out.resent++;
        await tx.objectStore("documents").put(doc);
        continue;
      }
      await dropOpenEntries(tx, doc.document_id);
      if (outcome.current) {
        out.conflicts.push(conflictOf(doc, outcome.current, outcome.merge));
      } else {
        doc.sync_status = "conflict";
        delete doc.conflict;
        out.unread.push(doc.document_id);
      }
    } else {
      out.errors.push(outcome.error);
      const deleteBehind = rest.some((e) => isOpen(e) && e.operation === "delete");
      if (doc.deleted && doc.version === null) {
        // Its create failed and I deleted it meanwhile: it never existed under my name, and I want it gone.
        await dropOpenEntries(tx, doc.document_id);
        await tx.objectStore("documents").delete(doc.document_id);
        continue;
      }
      if (!(doc.deleted && deleteBehind)) {
        await dropOpenEntries(tx, doc.document_id);
        doc.sync_status = "error";
        doc.error = outcome.error;
      }
    }
    await tx.objectStore("documents").put(doc);
  }
  await tx.objectStore("batches").delete(batch.key);
  await tx.done;
  return out;
}

function mergedMark(entry: QueuedOperation, outcome: Extract<Outcome, { kind: "success" }>): MergedMark | undefined {
  const version = outcome.version ?? outcome.current?.version;
  if (version === undefined) return undefined;
  if (outcome.merge) return { from_base_version: outcome.merge.from_base_version, version, algorithm: outcome.merge.algorithm };
  if (entry.yjs_merged_from !== undefined) return { from_base_version: entry.yjs_merged_from, version, algorithm: "yjs" };
  return undefined;
}

/**
 * A `merge_conflict` on the Yjs state alone: the server leaves Yjs to the clients. Merge theirs and mine here and
 * queue the merged state on the server's version; my other pending fields (title, content) that differ from theirs
 * follow as an update on the version I made them on, for the server to merge three-way. The fields I did not change
 * take theirs. Bounded by MAX_YJS_MERGES in a row; false (a conflict for the user) beyond it, or when the states
 * are not Yjs updates. My content stays in the local copy throughout.
 */
async function requeueMergedYjs(tx: Tx, doc: StoredDocument, entry: QueuedOperation, theirs: DocumentView, merge: MergeInfo): Promise<boolean> {
  const attempts = doc.yjs_merges ?? 0;
  if (entry.operation !== "update" || merge.fields?.length !== 1 || merge.fields[0] !== "yjs_state_b64") return false;
  if (theirs.deleted || !theirs.yjs_state_b64 || !doc.yjs_state_b64 || attempts >= MAX_YJS_MERGES) return false;
  const merged = mergeYjsStates(theirs.yjs_state_b64, doc.yjs_state_b64);
  if (merged === undefined) return false;
  const pending: WireFields = { ...entry.data };
  const open = (await entriesOf(tx, doc.document_id)).filter(isOpen);
  for (const later of open) Object.assign(pending, later.data);
  // The version my pending title and content were made on: an earlier re-send's own base, else this edit's base
  // (for an edit that was itself a re-sent merged state, the base of the edit it came from).
  const madeOn = open.find((e) => e.base_version !== undefined)?.base_version ?? entry.yjs_merged_from ?? merge.from_base_version;
  const others: WireFields = {};
  for (const field of ["title", "content"] as const) {
    const mine = pending[field];
    if (mine !== undefined && mine !== theirs[field]) others[field] = mine;
    else doc[field] = theirs[field];
  }
  await dropOpenEntries(tx, doc.document_id);
  const queue = tx.objectStore("queue");
  await queue.add({ document_id: doc.document_id, operation: "update", data: { yjs_state_b64: merged }, batch_key: null,
    base_version: theirs.version, yjs_merged_from: madeOn });
  if (Object.keys(others).length > 0) {
    await queue.add({ document_id: doc.document_id, operation: "update", data: others, batch_key: null, base_version: madeOn });
  }
  Object.assign(doc, { yjs_state_b64: merged, yjs_merges: attempts + 1, sync_status: "pending" });
  delete doc.conflict;
  return true;
}

/** Whether the server's state already holds what this entry sends (my earlier attempt, or the same edit). */
function alreadyThere(entry: QueuedOperation, current: DocumentView | undefined): current is DocumentView {
  if (!current || current.deleted || entry.operation === "delete") return false;
  const sent = entry.operation === "create" ? { title: "", content: "", ...entry.data } : entry.data;
  return (sent.title === undefined || sent.title === current.title)
    && (sent.content === undefined || sent.content === current.content)
    && ((sent.yjs_state_b64 ?? null) === current.yjs_state_b64 || (entry.operation === "update" && sent.yjs_state_b64 === undefined));
}

function outcomeOf(entry: QueuedOperation, result: OperationResult | undefined): Outcome {
  if (!result || result.status === "skipped") return { kind: "reopen" };
  const status = result.status;
  const code = result.error?.code;
  if (status === "success") return { kind: "success", version: result.version };
  if (status === "merged") return { kind: "success", version: result.version, current: result.current, merge: result.merge };
  // A batch rebuilt after the server forgot its key meets what its first attempt wrote: that is a success.
  if (alreadyThere(entry, result.current) && (status === "conflict" || code === "already_exists")) {
    return { kind: "success", version: result.current.version, current: result.current };
  }
  if (entry.operation === "delete" && (code === "deleted" || code === "not_found")) return { kind: "success" };
  if (status === "conflict") return { kind: "conflict", current: result.current, merge: result.merge };
  const error: OperationError = {
    document_id: entry.document_id,
    client_id: `op_${entry.id}`,
    operation: entry.operation,
    code: code ?? status,
    message: result.error?.message ?? status,
  };
  if (result.current) error.current = result.current;
  return { kind: "error", error };
}

/**
 * Settles a batch from its results. A result without `client_id` (the whole batch refused as unreadable) stands for
 * every operation no other result names; an operation no result names travels again.
 */
export async function settleBatch(store: Store, batch: QueuedBatch, results: OperationResult[]): Promise<Settled> {
  const byClientId = new Map(results.filter((r) => r.client_id).map((r) => [r.client_id, r]));
  const whole = results.find((r) => !r.client_id);
  return settle(store, batch, (entry) => outcomeOf(entry, byClientId.get(`op_${entry.id}`) ?? whole));
}

/**
 * The server refused the whole batch (400/413/422; nothing of it was written). When the problem's pointers name
 * operations (`/operations/3/data/title`), only those end as errors and the others travel again (under a new key:
 * the refused request left nothing to repeat). Otherwise each operation ends as an error with that reason.
 */
export async function rejectBatch(store: Store, batch: QueuedBatch, code: string, message: string,
  culprits?: ReadonlySet<number>): Promise<Settled> {
  // Pointers beyond the batch would reject nothing and send the same request again: then reject it all.
  const named = culprits && [...culprits].some((i) => i < batch.operation_ids.length) ? culprits : undefined;
  return settle(store, batch, (entry, index) => named && !named.has(index)
    ? { kind: "reopen" }
    : { kind: "error", error: { document_id: entry.document_id, client_id: `op_${entry.id}`, operation: entry.operation, code, message } });
}

/** A stored batch that must not be resent as it is (older than the server remembers keys): its entries travel again. */
export async function dissolveBatch(store: Store, batch: QueuedBatch): Promise<Settled> {
  return settle(store, batch, () => ({ kind: "reopen" }));
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

