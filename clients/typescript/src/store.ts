import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { DocumentView, LocalDocument, OperationType, SyncStats } from "./types.js";

/** One queued operation. Coalescing edits the newest open entry of a document; `batch_key` freezes it. */
export interface QueuedOperation {
  id?: number;
  document_id: string;
  operation: OperationType;
  /** Fields to send: all of them for a create, the changed ones for an update, none for a delete. */
  data: { title?: string; content?: string; yjs_state_b64?: string };
  /** The Idempotency-Key of the batch it travels in; null while it can still be coalesced. */
  batch_key: string | null;
  /**
   * Sent with this base_version rather than the document's (edits re-queued after a local Yjs merge: the merged state
   * goes on the server's version, my other fields on the version they were made on, for the server to merge).
   */
  base_version?: number;
  /** A Yjs state merged here with the server's, from my edit based on this version: its success counts as merged. */
  yjs_merged_from?: number;
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
  stats: { key: number; value: SyncStats };
}

export type Store = IDBPDatabase<DocsyncDB>;

/** 1: documents, queue, batches, meta. 2: stats (the last syncs survive a reload). */
export const SCHEMA_VERSION = 2;
export const CURSOR_KEY = "change_cursor";
const UNREAD_KEY = "theirs_unread";

export interface StoreHandlers {
  /** An older connection (another tab) keeps this open waiting. */
  blocked?(): void;
  /** Another tab upgrades or deletes the database: this connection has been closed to let it. */
  closedForVersionChange?(): void;
  /** The browser closed the database abnormally (storage cleared, disk error). */
  terminated?(): void;
}

/**
 * Opens (creating or upgrading) the IndexedDB database of one user and workspace. Each upgrade step runs only for
 * databases older than it, so data written by an older version of the client is kept.
 */
export function openStore(databaseName: string, handlers: StoreHandlers = {}): Promise<Store> {
  return openDB<DocsyncDB>(databaseName, SCHEMA_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore("documents", { keyPath: "document_id" });
        const queue = db.createObjectStore("queue", { keyPath: "id", autoIncrement: true });
        queue.createIndex("by_document", "document_id");
        db.createObjectStore("batches", { keyPath: "key" });
        db.createObjectStore("meta");
      }
      if (oldVersion < 2) {
        db.createObjectStore("stats", { autoIncrement: true });
      }
    },
    blocked: () => handlers.blocked?.(),
    blocking(_current, _blocked, event) {
      (event.target as IDBDatabase).close();
      handlers.closedForVersionChange?.();
    },
    terminated: () => handlers.terminated?.(),
  });
}

/** Deletes the database; other tabs' connections close themselves (`blocking`); `blocked`: one that does not. */
export function deleteStore(databaseName: string, blocked?: () => void): Promise<void> {
  return deleteDB(databaseName, { blocked: () => blocked?.() });
}

/** True for the browser's "storage full" refusal, however it reached us (request, transaction, or thrown). */
export function isQuotaError(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === "QuotaExceededError";
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

/** Conflicts whose server state could not be read yet (`current_omitted`, then a failed read). */
export async function unreadConflicts(store: Store): Promise<string[]> {
  return JSON.parse((await store.get("meta", UNREAD_KEY)) ?? "[]") as string[];
}

export async function setUnreadConflicts(store: Store, ids: string[]): Promise<void> {
  await store.put("meta", JSON.stringify([...new Set(ids)]), UNREAD_KEY);
}

const KEPT_STATS = 50;

export async function addStats(store: Store, stats: SyncStats): Promise<void> {
  const tx = store.transaction("stats", "readwrite");
  await tx.store.add(stats);
  const keys = await tx.store.getAllKeys();
  for (const key of keys.slice(0, Math.max(0, keys.length - KEPT_STATS))) await tx.store.delete(key);
  await tx.done;
}

export async function listStats(store: Store): Promise<SyncStats[]> {
  return store.getAll("stats");
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
