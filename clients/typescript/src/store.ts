import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { LocalDocument, OperationType } from "./types.js";

/** One queued operation. Coalescing edits the newest open entry of a document; `batch_key` freezes it. */
export interface QueuedOperation {
  id?: number;
  document_id: string;
  operation: OperationType;
  /** Fields to send: all of them for a create, the changed ones for an update, none for a delete. */
  data: { title?: string; content?: string; yjs_state_b64?: string };
  /** The Idempotency-Key of the batch it travels in; null while it can still be coalesced. */
  batch_key: string | null;
}

/** A batch as it was (or will be) sent: the exact body, so a retry is byte-identical and idempotent. */
export interface QueuedBatch {
  key: string;
  body: string;
  operation_ids: number[];
  created_at: string;
}

export type StoredDocument = LocalDocument;

export interface DocsyncDB extends DBSchema {
  documents: { key: string; value: StoredDocument };
  queue: { key: number; value: QueuedOperation; indexes: { by_document: string } };
  batches: { key: string; value: QueuedBatch };
  meta: { key: string; value: string };
}

export type Store = IDBPDatabase<DocsyncDB>;

const SCHEMA_VERSION = 1;
export const CURSOR_KEY = "change_cursor";

/** Opens (creating on first use) the IndexedDB database of one user and workspace. */
export function openStore(databaseName: string): Promise<Store> {
  return openDB<DocsyncDB>(databaseName, SCHEMA_VERSION, {
    upgrade(db) {
      db.createObjectStore("documents", { keyPath: "document_id" });
      const queue = db.createObjectStore("queue", { keyPath: "id", autoIncrement: true });
      queue.createIndex("by_document", "document_id");
      db.createObjectStore("batches", { keyPath: "key" });
      db.createObjectStore("meta");
    },
  });
}

export async function getDocument(store: Store, id: string): Promise<StoredDocument | undefined> {
  return store.get("documents", id);
}

export async function listDocuments(store: Store): Promise<StoredDocument[]> {
  return store.getAll("documents");
}

export async function getCursor(store: Store): Promise<string | undefined> {
  return store.get("meta", CURSOR_KEY);
}

export async function setCursor(store: Store, cursor: string): Promise<void> {
  await store.put("meta", cursor, CURSOR_KEY);
}
