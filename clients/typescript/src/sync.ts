import type { Emitter, DocsyncEvents } from "./events.js";
import { applyRemote, markConflict, nextBatch, pendingOperations, refusedOperations, rejectBatch, settleBatch } from "./queue.js";
import { getCursor, getDocument, setCursor, type Store } from "./store.js";
import type { Transport } from "./transport.js";
import type { SyncFailure, SyncProgress, SyncReport } from "./types.js";

export interface SyncContext {
  store: Store;
  transport: Transport;
  workspaceId: string;
  events: Emitter<DocsyncEvents>;
  isOnline: () => boolean;
}

const CHANGES_PAGE = 1000;

/**
 * One sync: push every queued operation as batches within the server's limits (stored batches first, with their
 * keys), write each result into the store, then pull the change feed from the stored cursor. Transport
 * failures that outlive the retries stop the sync with `failure` set; what was not confirmed stays queued.
 */
export async function runSync(ctx: SyncContext): Promise<SyncReport> {
  const report: SyncReport = { total: 0, successful: 0, failed: 0, conflicts: [], errors: [], pulled: 0, batches: 0 };
  if (!ctx.isOnline()) {
    report.failure = { code: "offline", message: "offline: nothing sent" };
    ctx.events.emit("synced", report);
    return report;
  }
  const progress: SyncProgress = { total: (await pendingOperations(ctx.store)).length, sent: 0, applied: 0, failed: 0 };
  ctx.events.emit("progress", { ...progress });

  for (;;) {
    const batch = await nextBatch(ctx.store, ctx.workspaceId);
    if (!batch) break;
    const count = batch.operation_ids.length;
    progress.sent += count;
    progress.total = Math.max(progress.total, progress.sent);
    ctx.events.emit("progress", { ...progress });

    const answer = await ctx.transport.submitBatch(batch.key, batch.body);
    if (answer.kind === "failed") {
      report.failure = answer.failure;
      break;
    }
    if (answer.kind === "refused") {
      const failure = wholeRequestFailure(answer.status, answer.problem.detail ?? answer.problem.title);
      if (failure) {
        report.failure = failure;
        break;
      }
      // The request itself was refused (400, 413, 422): retrying the same bytes cannot help. The operations the
      // problem points to end as errors with the server's reason; the others travel again in the next batch.
      const culprits = answer.status === 400 ? refusedOperations(answer.problem) : undefined;
      const errors = await rejectBatch(ctx.store, batch, "rejected", `${answer.status}: ${answer.problem.detail ?? "refused"}`,
        culprits);
      progress.sent -= count - errors.length;
      report.batches++;
      report.total += errors.length;
      report.failed += errors.length;
      report.errors.push(...errors);
      progress.failed += errors.length;
      ctx.events.emit("progress", { ...progress });
      ctx.events.emit("change", undefined);
      continue;
    }
    const settled = await settleBatch(ctx.store, batch, answer.body.results ?? []);
    for (const id of settled.missingCurrent) {
      const current = await ctx.transport.document(ctx.workspaceId, id);
      if (current.kind === "ok" && current.body) {
        const conflict = await markConflict(ctx.store, current.body);
        if (conflict) settled.conflicts.push(conflict);
      }
    }
    report.batches++;
    report.total += count;
    report.successful += settled.successful;
    report.failed += count - settled.successful;
    report.conflicts.push(...settled.conflicts);
    report.errors.push(...settled.errors);
    progress.applied += settled.successful;
    progress.failed += count - settled.successful;
    ctx.events.emit("progress", { ...progress });
    ctx.events.emit("change", undefined);
    for (const conflict of settled.conflicts) ctx.events.emit("conflict", conflict);
  }

  if (!report.failure) await pull(ctx, report);
  ctx.events.emit("synced", report);
  return report;
}

function wholeRequestFailure(status: number, detail: string | undefined): SyncFailure | undefined {
  if (status === 401) return { code: "unauthorized", status, message: detail ?? "token missing, invalid or expired" };
  if (status === 403) return { code: "forbidden", status, message: detail ?? "no write access to this workspace" };
  if (status === 404 || status >= 500) return { code: "http_error", status, message: detail ?? `HTTP ${status}` };
  return undefined;
}

/** Reads the change feed after the stored cursor and refreshes what other clients changed. */
async function pull(ctx: SyncContext, report: SyncReport): Promise<void> {
  let cursor = await getCursor(ctx.store);
  for (;;) {
    const page = await ctx.transport.changes(ctx.workspaceId, cursor, CHANGES_PAGE);
    if (page.kind !== "ok") {
      report.failure = page.kind === "failed" ? page.failure
        : wholeRequestFailure(page.status, page.problem.detail) ?? { code: "http_error", status: page.status, message: page.problem.detail ?? "change feed refused" };
      return;
    }
    const latest = new Map<string, number>();
    for (const item of page.body.items) latest.set(item.document_id, Math.max(item.version, latest.get(item.document_id) ?? 0));
    for (const [id, version] of latest) {
      const local = await getDocument(ctx.store, id);
      if (local?.version != null && local.version >= version) continue; // my own write, or already seen
      const current = await ctx.transport.document(ctx.workspaceId, id);
      if (current.kind !== "ok") {
        report.failure = current.kind === "failed" ? current.failure : { code: "http_error", status: current.status, message: current.problem.detail ?? "document read refused" };
        return;
      }
      const outcome = await applyRemote(ctx.store, id, current.body);
      if (outcome.outcome !== "unchanged") report.pulled++;
      if (outcome.conflict) {
        report.conflicts.push(outcome.conflict);
        ctx.events.emit("conflict", outcome.conflict);
      }
    }
    cursor = page.body.next_cursor;
    await setCursor(ctx.store, cursor);
    if (latest.size > 0) ctx.events.emit("change", undefined);
    if (page.body.items.length < CHANGES_PAGE) return;
  }
}
