import type { Emitter, DocsyncEvents } from "./events.js";
import { applyRemoteAll, markConflict } from "./decisions.js";
import {
  buildBatch, dissolveBatch, pendingOperations, refusedOperations, rejectBatch, settleBatch, storedBatch, type OnConflict, type Settled,
} from "./queue.js";
import { BatchSizer, Meter, emptyStats } from "./stats.js";
import { addStats, getCursor, getDocument, isQuotaError, setCursor, setUnreadConflicts, unreadConflicts, type QueuedBatch, type Store } from "./store.js";
import type { Answer, Transport } from "./transport.js";
import type { ChangeItem, DocumentView, ServerLimits, SyncFailure, SyncProgress, SyncReport, SyncStats } from "./types.js";

export interface SyncContext {
  store: () => Promise<Store>;
  transport: Transport;
  workspaceId: string;
  events: Emitter<DocsyncEvents>;
  isOnline: () => boolean;
  sizer: BatchSizer;
  /** The server's limits, read once (GET /api/v1/limits); undefined where the server does not say. */
  limits: (meter: Meter) => Promise<ServerLimits | undefined>;
  /** Local documents changed: tell this tab's views and the other tabs. */
  changed: (ids: string[]) => void;
  now: () => number;
  /** `merge`: push batches ask the server to merge stale updates three-way (`on_conflict: "merge"`). */
  onConflict: OnConflict;
}

const CHANGES_PAGE = 1000;
/** Keys are remembered this long when the server does not say (DESIGN: 24 h). */
const DEFAULT_RETENTION_MS = 24 * 3600 * 1000;
/** A stored batch this close to the retention is rebuilt: clocks differ, and the server measures from its own stamp. */
const RETENTION_MARGIN = 0.9;

/**
 * One sync: push every queued operation as batches (a stored batch first, with its key, unless it is older than
 * the server remembers keys), write each result into the store, then pull the change feed from the stored cursor.
 * It always ends: a failure (network, token, storage, or a bug) stops it with `failure` set, what was not confirmed
 * stays queued, and `stats` and `synced` are emitted either way.
 */
export async function runSync(ctx: SyncContext): Promise<SyncReport> {
  const started = ctx.now();
  const report: SyncReport = { total: 0, successful: 0, merged: 0, failed: 0, conflicts: [], errors: [], pulled: 0, batches: 0 };
  const meter = new Meter();
  const stats = emptyStats(new Date(started).toISOString());
  let store: Store | undefined;
  try {
    if (!ctx.isOnline()) {
      report.failure = { code: "offline", message: "offline: nothing sent" };
    } else {
      store = await opened(ctx.store(), STORE_OPEN_TIMEOUT_MS);
      await push(ctx, store, report, meter, stats);
      if (!report.failure) await readUnreadConflicts(ctx, store, report, meter);
      if (!report.failure) await pull(ctx, store, report, meter);
    }
  } catch (error) {
    report.failure = failureOf(error);
    if (report.failure.code === "storage") {
      ctx.events.emit("error", { code: isQuotaError(error) ? "quota" : "storage", message: report.failure.message });
    } else {
      console.error("docsync: sync failed", error);
    }
  } finally {
    Object.assign(stats, {
      duration_ms: ctx.now() - started, requests: meter.requests, retries: meter.retries, bytes_up: meter.bytesUp,
      bytes_down: meter.bytesDown, ttfb_ms: meter.ttfbMs, operations: report.total, conflicts: report.conflicts.length, merged: report.merged,
      errors: report.errors.length, pulled: report.pulled, failure: report.failure?.code ?? null,
    } satisfies Partial<SyncStats>);
    await record(store, stats).catch(() => undefined);
    ctx.events.emit("stats", stats);
    ctx.events.emit("synced", report);
  }
  return report;
}

/** How long a sync waits for the database to open (an older tab may block an upgrade) before it gives up for now. */
const STORE_OPEN_TIMEOUT_MS = 10_000;

function opened(store: Promise<Store>, ms: number): Promise<Store> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new DOMException(`the database did not open within ${ms} ms (another tab blocks it?)`, "TimeoutError")), ms);
  });
  return Promise.race([store, late]).finally(() => clearTimeout(timer));
}

function failureOf(error: unknown): SyncFailure {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // IndexedDB fails with DOMExceptions (QuotaExceededError, InvalidStateError for a closed database, ...).
  const fromStorage = typeof DOMException !== "undefined" && error instanceof DOMException;
  return { code: fromStorage ? "storage" : "internal", message };
}

async function record(store: Store | undefined, stats: SyncStats): Promise<void> {
  if (store) await addStats(store, stats);
}

async function push(ctx: SyncContext, store: Store, report: SyncReport, meter: Meter, stats: SyncStats): Promise<void> {
  const progress: SyncProgress = { total: (await pendingOperations(store)).length, sent: 0, applied: 0, failed: 0 };
  ctx.events.emit("progress", { ...progress });
  for (;;) {
    const batch = await batchToSend(ctx, store, meter);
    if (!batch) return;
    const count = batch.operation_ids.length;
    progress.sent += count;
    progress.total = Math.max(progress.total, progress.sent);
    ctx.events.emit("progress", { ...progress });

    const sentAt = ctx.now();
    const answer = await ctx.transport.submitBatch(batch.key, batch.body, meter);
    const elapsed = ctx.now() - sentAt;
    let settled: Settled;
    if (answer.kind === "failed") {
      report.failure = answer.failure;
      return;
    } else if (answer.kind === "refused") {
      const failure = wholeRequestFailure(answer.status, answer.problem.detail ?? answer.problem.title);
      if (failure) {
        report.failure = failure;
        return;
      }
      // The request itself was refused (400, 413, 422): retrying the same bytes cannot help. The operations the
      // problem points to end as errors with the server's reason; the others travel again in the next batch.
      const culprits = answer.status === 400 ? refusedOperations(answer.problem) : undefined;
      settled = await rejectBatch(store, batch, "rejected", `${answer.status}: ${answer.problem.detail ?? "refused"}`, culprits);
    } else {
      settled = await settleBatch(store, batch, answer.body.results ?? []);
      if (answer.body.change_cursor) report.change_cursor = answer.body.change_cursor;
      ctx.sizer.observe(count, elapsed);
      stats.batch_sizes.push(count);
      stats.push_ms.push(elapsed);
    }
    if (settled.unread.length > 0) await setUnreadConflicts(store, [...(await unreadConflicts(store)), ...settled.unread]);
    const failed = settled.settled - settled.successful;
    progress.sent -= count - settled.settled;
    progress.applied += settled.successful;
    progress.failed += failed;
    report.batches++;
    report.total += settled.settled;
    report.successful += settled.successful;
    report.merged += settled.merged;
    report.failed += failed;
    report.conflicts.push(...settled.conflicts);
    report.errors.push(...settled.errors);
    ctx.events.emit("progress", { ...progress });
    if (settled.ids.length > 0) ctx.changed(settled.ids);
    for (const conflict of settled.conflicts) ctx.events.emit("conflict", conflict);
    // Nothing settled (the server named none of them): try again in the next sync, not in a loop. Yjs states merged
    // here travel again now (a bounded number of times: MAX_YJS_MERGES).
    if (settled.settled === 0 && settled.resent === 0) return;
  }
}

/**
 * A batch stored by an earlier attempt is sent again as it is (same key, same bytes), unless it is older than the
 * server remembers keys: then its operations are rebuilt on the current versions under a new key (a create the
 * first attempt applied meets `already_exists` with my own content and settles `synced`).
 */
async function batchToSend(ctx: SyncContext, store: Store, meter: Meter): Promise<QueuedBatch | undefined> {
  const stored = await storedBatch(store);
  if (stored) {
    const limits = await ctx.limits(meter);
    const retentionMs = limits ? limits.idempotency_retention_seconds * 1000 : DEFAULT_RETENTION_MS;
    if (ctx.now() - Date.parse(stored.created_at) < retentionMs * RETENTION_MARGIN) return stored;
    await dissolveBatch(store, stored);
  }
  return buildBatch(store, ctx.workspaceId, ctx.sizer.size, new Date(ctx.now()), ctx.onConflict);
}

function wholeRequestFailure(status: number, detail: string | undefined): SyncFailure | undefined {
  if (status === 401) return { code: "auth", status, message: detail ?? "token missing, invalid or expired" };
  if (status === 403) return { code: "forbidden", status, message: detail ?? "no write access to this workspace" };
  if (status === 404 || status >= 500) return { code: "http_error", status, message: detail ?? `HTTP ${status}` };
  return undefined;
}

function refusal(answer: Exclude<Answer<unknown>, { kind: "ok" }>, what: string): SyncFailure {
  if (answer.kind === "failed") return answer.failure;
  return wholeRequestFailure(answer.status, answer.problem.detail)
    ?? { code: "http_error", status: answer.status, message: answer.problem.detail ?? `${what} refused` };
}

/** Conflicts whose result carried no `current` (`current_omitted`): read the server's state and record it. */
async function readUnreadConflicts(ctx: SyncContext, store: Store, report: SyncReport, meter: Meter): Promise<void> {
  const ids = await unreadConflicts(store);
  if (ids.length === 0) return;
  const states = await documentStates(ctx, ids, meter);
  const left = ids.filter((id) => !states.has(id) || states.get(id) === null);
  for (const [id, theirs] of states) {
    if (!theirs) continue;
    const conflict = await markConflict(store, theirs);
    if (conflict) {
      report.conflicts.push(conflict);
      ctx.events.emit("conflict", conflict);
    }
    ctx.changed([id]);
  }
  await setUnreadConflicts(store, left);
}

/**
 * Reads the change feed after the stored cursor, with each change's state (`include=state`): one request per page,
 * never one per document (a change whose state the server left out for size is read singly). A new database (no
 * cursor) first fills from the snapshot and then follows the feed from the snapshot's `feed_cursor`.
 */
async function pull(ctx: SyncContext, store: Store, report: SyncReport, meter: Meter): Promise<void> {
  let cursor = await getCursor(store);
  if (cursor === undefined) {
    cursor = await bootstrap(ctx, store, report, meter);
    if (cursor === undefined) return;
  }
  for (;;) {
    const before = meter.bytesDown;
    const page = await ctx.transport.changes(ctx.workspaceId, cursor, CHANGES_PAGE, meter, { states: true });
    if (page.kind !== "ok") {
      report.failure = refusal(page, "change feed");
      return;
    }
    if (!(await applyChanges(ctx, store, page.body.items, report, meter))) return; // the cursor stays
    if (report.change_cursor !== undefined && page.body.next_cursor === report.change_cursor) report.own_writes_visible = true;
    cursor = page.body.next_cursor;
    await setCursor(store, cursor);
    // A page is cut by its item limit or by the bytes of its states: only a short and small one is the end.
    if (page.body.items.length === 0) break;
    if (page.body.items.length < CHANGES_PAGE && meter.bytesDown - before < FULL_PAGE_BYTES) break;
  }
  // The feed was read to its end after the push: it holds this sync's writes.
  if (report.change_cursor !== undefined) report.own_writes_visible = true;
}

/** Below this a page shorter than its limit is the feed's end (the server cuts pages at 8 MiB of states). */
const FULL_PAGE_BYTES = 1024 * 1024;
const SNAPSHOT_PAGE = 2000;

/** Fills a new database from the snapshot, page by page; the feed position to follow from, or undefined on failure. */
async function bootstrap(ctx: SyncContext, store: Store, report: SyncReport, meter: Meter): Promise<string | undefined> {
  let next: string | undefined;
  let feed: string | undefined;
  do {
    const page = await ctx.transport.snapshot(ctx.workspaceId, next, SNAPSHOT_PAGE, meter);
    if (page.kind !== "ok") {
      report.failure = refusal(page, "snapshot");
      return undefined; // started again next time: applying a state twice changes nothing
    }
    feed = page.body.feed_cursor;
    await applyStates(ctx, store, page.body.items.map((doc) => [doc.document_id, doc]), report);
    const sent = next;
    next = page.body.next_cursor ?? undefined;
    if (next !== undefined && (next === sent || page.body.items.length === 0)) {
      report.failure = { code: "http_error", status: page.status, message: "the snapshot does not advance" };
      return undefined;
    }
  } while (next);
  if (feed === undefined) return undefined;
  await setCursor(store, feed);
  return feed;
}

/**
 * Applies the newest change of each document in `items` (read singly where the state was left out), never over
 * a pending, conflicted or errored local edit. False when a read failed (`report.failure` says why).
 */
export async function applyChanges(ctx: SyncContext, store: Store, items: ChangeItem[], report: SyncReport, meter: Meter): Promise<boolean> {
  const latest = new Map<string, ChangeItem>();
  for (const item of items) {
    const seen = latest.get(item.document_id);
    if (!seen || seen.version < item.version) latest.set(item.document_id, item);
  }
  const states: [string, DocumentView | null][] = [];
  const missing: string[] = [];
  for (const [id, item] of latest) {
    if (item.document) states.push([id, item.document]);
    else missing.push(id);
  }
  const stale: string[] = [];
  for (const id of missing) {
    const local = await getDocument(store, id);
    if (local?.version == null || local.version < latest.get(id)!.version) stale.push(id); // else mine, or seen
  }
  const read = await documentStates(ctx, stale, meter);
  states.push(...read);
  await applyStates(ctx, store, states, report);
  if (read.size < stale.length) {
    report.failure = read.failure ?? { code: "unreachable", message: "document read failed" };
    return false;
  }
  return true;
}

async function applyStates(ctx: SyncContext, store: Store, states: [string, DocumentView | null][], report: SyncReport): Promise<void> {
  if (states.length === 0) return;
  const changed: string[] = [];
  for (const outcome of await applyRemoteAll(store, states, { mergePending: ctx.onConflict === "merge" })) {
    if (outcome.outcome !== "unchanged") {
      report.pulled++;
      changed.push(outcome.id);
    }
    if (outcome.conflict) {
      report.conflicts.push(outcome.conflict);
      ctx.events.emit("conflict", outcome.conflict);
    }
  }
  if (changed.length > 0) ctx.changed(changed);
}

/** The server's states of some documents (null: gone), in order, stopping at the first read that fails. */
async function documentStates(ctx: SyncContext, ids: string[], meter: Meter): Promise<Map<string, DocumentView | null> & { failure?: SyncFailure }> {
  const states: Map<string, DocumentView | null> & { failure?: SyncFailure } = new Map();
  for (const id of ids) {
    const answer = await ctx.transport.document(ctx.workspaceId, id, meter);
    if (answer.kind !== "ok") {
      states.failure = refusal(answer, "document read");
      break;
    }
    states.set(id, answer.body);
  }
  return states;
}
