import type { components } from "./generated/api.js";

type Schemas = components["schemas"];

/** Wire types, generated from the server's OpenAPI description (src/generated/api.ts). */
export type DocumentView = Schemas["DocumentView"];
export type BatchRequest = Schemas["BatchRequest"];
export type OperationRequest = Schemas["OperationRequest"];
export type BatchResult = Schemas["BatchResult"];
export type OperationResult = Schemas["OperationResult"];
export type ChangePage = Schemas["PageChangeItem"];
export type ChangeItem = Schemas["ChangeItem"];
export type SnapshotPage = Schemas["SnapshotPage"];
export type Problem = Schemas["Problem"];
/** GET /api/v1/limits: batch limits and how long an Idempotency-Key is remembered. */
export type ServerLimits = Schemas["ServerLimits"];
/** How a stale update was merged three-way, or why it collided (`fields`, and for content the colliding `hunks`). */
export type MergeInfo = Schemas["MergeInfo"];
/** One region both sides changed differently: the base's, my and their lines (without newlines), 1-based starts. */
export type Hunk = Schemas["Hunk"];
export type OperationType = OperationRequest["operation"];

/** Where a local copy stands with the server. */
export type SyncStatus = "synced" | "pending" | "conflict" | "error";

/** The fields a client writes. */
export interface DocumentFields {
  title?: string;
  content?: string;
  yjs_state_b64?: string | null;
}

export interface NewDocumentInput extends DocumentFields {
  /** Client-chosen id; one is generated (a UUID) when absent, so the document can be edited before it syncs. */
  document_id?: string;
}

/** My side of a conflict: my local fields, and whether my edit was a delete. */
export interface MyVersion {
  title: string;
  content: string;
  yjs_state_b64: string | null;
  deleted: boolean;
}

export interface Conflict {
  document_id: string;
  mine: MyVersion;
  /** The server's current state; `deleted: true` when another client deleted it. */
  theirs: DocumentView;
  /**
   * With `onConflict: "merge"`, the server's three-way merge that collided (`merge_conflict`): the colliding `fields`
   * and, for content, the `hunks` (base / mine / theirs lines). Absent for a plain version conflict.
   */
  merge?: MergeInfo;
}

/**
 * A local copy whose last write was merged: by the server (`algorithm` e.g. `diff3-lines/1`) or, for a Yjs state,
 * in this client (`algorithm` `yjs`). Kept until the next local edit or the next remote change.
 */
export interface MergedMark {
  /** The version the merged edit was based on. */
  from_base_version: number;
  /** The version the merge wrote. */
  version: number;
  algorithm: string;
}

export interface OperationError {
  document_id: string;
  client_id?: string;
  operation?: OperationType;
  /** The server's per-operation code (`not_found`, `already_exists`, `deleted`, …) or `rejected` (4xx batch). */
  code: string;
  message: string;
  /** The server's state of the document where the answer carried it (e.g. with `already_exists`). */
  current?: DocumentView;
}

/** A local copy of a document, as `documents.get()`/`list()` return it. */
export interface LocalDocument {
  document_id: string;
  title: string;
  content: string;
  yjs_state_b64: string | null;
  /** The server version this copy is based on; null until its create is confirmed. */
  version: number | null;
  sync_status: SyncStatus;
  /** A delete of mine not yet confirmed (the copy stays visible, marked, until it is). */
  deleted: boolean;
  updated_at: string | null;
  updated_by: string | null;
  conflict?: Conflict;
  error?: OperationError;
  /** The last write of mine was merged with another's (`onConflict: "merge"`); cleared by my next edit. */
  merged?: MergedMark;
  /** Local Yjs merges sent again since this document's last successful write (bounded: MAX_YJS_MERGES). */
  yjs_merges?: number;
}

/**
 * Why a sync stopped early; the operations stay queued. `auth`: the token was refused twice (once after asking the
 * token function for a fresh one); `storage`: the local database failed (quota, closed); `internal`: a bug.
 */
export interface SyncFailure {
  code: "offline" | "unreachable" | "auth" | "forbidden" | "http_error" | "storage" | "internal";
  message: string;
  status?: number;
}

export interface SyncReport {
  /** Operations pushed in this sync. */
  total: number;
  /** Includes the merged ones. */
  successful: number;
  /** Successful operations that were merged (by the server's three-way merge, or a Yjs state merged here). */
  merged: number;
  /** Every non-success: conflicts and errors. */
  failed: number;
  conflicts: Conflict[];
  errors: OperationError[];
  /** Why the sync stopped early, if it did (queued operations remain pending). */
  failure?: SyncFailure;
  /** Documents refreshed from the change feed (or the snapshot, for a new database). */
  pulled: number;
  batches: number;
  /**
   * The feed position that includes this sync's own writes (the last completed batch's `change_cursor`, from its
   * 200 or its poll); once the local cursor has reached it, the pulled view contains them.
   */
  change_cursor?: string;
  /** Whether this sync's pull reached `change_cursor` (absent when nothing was written). */
  own_writes_visible?: boolean;
}

export interface SyncProgress {
  total: number;
  sent: number;
  applied: number;
  failed: number;
}

/** What one sync cost and did (the last 50 are kept: `client.stats()`). */
export interface SyncStats {
  started_at: string;
  duration_ms: number;
  /** HTTP requests, retries included. */
  requests: number;
  retries: number;
  bytes_up: number;
  bytes_down: number;
  /** Operations pushed (settled by this sync). */
  operations: number;
  conflicts: number;
  /** Operations that ended merged (see SyncReport.merged). */
  merged: number;
  errors: number;
  /** Documents refreshed from the change feed. */
  pulled: number;
  /** Time to the first response's headers, null when nothing was answered. */
  ttfb_ms: number | null;
  /** Operations per push request, and how long each took. */
  batch_sizes: number[];
  push_ms: number[];
  /** The failure's code when the sync stopped early. */
  failure: SyncFailure["code"] | null;
}

/** `client.storage()`: whether the browser will keep the database under storage pressure, and how full it is. */
export interface StorageInfo {
  persisted: boolean;
  usage: number | null;
  quota: number | null;
}

/** A problem outside any one operation, emitted as `error`: the local database failed or must give way. */
export interface DocsyncError {
  /** `quota`: the browser refused to store more; `versionchange`: another tab upgrades or deletes the database
   * (this one closed it); `blocked`: an older tab holds the database open; `terminated`: the browser closed it. */
  code: "quota" | "versionchange" | "blocked" | "terminated" | "storage";
  message: string;
}

/** Local data changed; `ids` names the documents (absent: anything may have changed, re-read all). */
export interface ChangeEvent {
  ids?: string[];
}
