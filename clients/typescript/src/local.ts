import type { IDBPTransaction } from "idb";
import type { DocsyncDB, QueuedOperation, Store, StoredDocument } from "./store.js";
import type { Conflict, DocumentFields, DocumentView, MergeInfo, MyVersion } from "./types.js";

// Transactions over the local store, shared by the queue (edits, batches, results) and the decisions (pull, resolve,
// retry, discard): every change of a document and its queue entries happens in one transaction.

/** Thrown for edits that make no sense locally (unknown document, edit after delete, duplicate create). */
export class LocalEditError extends Error {
  override readonly name = "LocalEditError";
}

const STORES = ["documents", "queue", "batches"] as const;
export type Tx = IDBPTransaction<DocsyncDB, ["documents", "queue", "batches"], "readwrite">;

export const write = (store: Store): Tx => store.transaction([...STORES], "readwrite") as unknown as Tx;

/** Aborts the transaction (nothing of it is written) and throws. */
export async function refuse(tx: Tx, message: string): Promise<never> {
  tx.abort();
  await tx.done.catch(() => undefined);
  throw new LocalEditError(message);
}

/** The fields as they travel: only those given, and no null (the API has no way to clear a field). */
export type WireFields = { title?: string; content?: string; yjs_state_b64?: string };

export function defined(fields: DocumentFields): WireFields {
  const out: WireFields = {};
  if (fields.title !== undefined) out.title = fields.title;
  if (fields.content !== undefined) out.content = fields.content;
  if (fields.yjs_state_b64 !== undefined && fields.yjs_state_b64 !== null) out.yjs_state_b64 = fields.yjs_state_b64;
  return out;
}

export function mineOf(doc: StoredDocument): MyVersion {
  return { title: doc.title, content: doc.content, yjs_state_b64: doc.yjs_state_b64, deleted: doc.deleted };
}

/** A document's queued entries, oldest first. */
export async function entriesOf(tx: Tx, documentId: string): Promise<QueuedOperation[]> {
  return (await tx.objectStore("queue").index("by_document").getAll(documentId)).sort((a, b) => a.id! - b.id!);
}

export const isOpen = (entry: QueuedOperation) => entry.batch_key === null;

export async function dropOpenEntries(tx: Tx, documentId: string): Promise<void> {
  for (const entry of (await entriesOf(tx, documentId)).filter(isOpen)) await tx.objectStore("queue").delete(entry.id!);
}


export function conflictOf(doc: StoredDocument, theirs: DocumentView, merge?: MergeInfo): Conflict {
  const conflict: Conflict = { document_id: doc.document_id, mine: mineOf(doc), theirs };
  if (merge) conflict.merge = merge;
  doc.sync_status = "conflict";
  doc.conflict = conflict;
  return conflict;
}

