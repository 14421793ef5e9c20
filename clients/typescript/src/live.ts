import { applyChanges, type SyncContext } from "./sync.js";
import { Meter } from "./stats.js";
import { getCursor, setCursor } from "./store.js";
import type { SyncLock } from "./tabs.js";
import { jittered } from "./transport.js";
import type { ChangeItem, SyncReport } from "./types.js";

/** How the live subscription reaches the server: the event stream, with the long-poll as the fallback. */
export type LiveMode = "stream" | "poll";

export interface LiveOptions {
  /** "stream" (default): the event stream, falling back to the long-poll where streaming is unavailable. */
  mode?: LiveMode;
  /** Seconds one long-poll is held (default 25, the server allows up to 60). */
  waitSeconds?: number;
  /** A stream silent this long (no heartbeat either) is dropped and opened again (default 45 s; heartbeats: 15 s). */
  idleMs?: number;
  /** Reconnects back off from this, doubling up to maxDelayMs (defaults 500 ms, 30 s), with jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** What the subscription needs: the sync's context (store, transport, events) and the lock the syncs run under. */
export interface LiveContext {
  sync: SyncContext;
  /** The sync lock: a live change is applied like a pull, never at the same time as one. */
  syncLock: SyncLock;
  options: LiveOptions;
}

/** One event of a text/event-stream. */
export interface StreamEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * An incremental text/event-stream parser (the WHATWG rules that matter here): lines end in LF, CRLF or CR; a
 * blank line dispatches; `:` starts a comment (a heartbeat); `data` lines join with LF; `id` persists.
 */
export class EventStreamParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";
  private id: string | undefined;
  private pendingCR = false;

  /** Feeds decoded text; returns the events it completed. */
  push(text: string): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (this.pendingCR && text.startsWith("\n")) text = text.slice(1);
    this.pendingCR = false;
    this.buffer += text;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      if (match[0] === "\r" && match.index === this.buffer.length - 1) this.pendingCR = true;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line, out);
    }
    return out;
  }

  private line(line: string, out: StreamEvent[]): void {
    if (line === "") {
      if (this.data.length > 0) {
        const event: StreamEvent = { event: this.event || "message", data: this.data.join("\n") };
        if (this.id !== undefined) event.id = this.id;
        out.push(event);
      }
      this.data = [];
      this.event = "";
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) this.id = value;
  }
}

type Outcome =
  | { kind: "ended" } // the server closed the stream (the token's exp) or we stopped
  | { kind: "unavailable"; why: string } // no streaming here: use the long-poll
  | { kind: "failed"; why: string; retryAfterMs?: number | undefined; delivered: boolean };

/**
 * The live subscription of `startAutoSync()`: follows the feed from the stored cursor over the event stream (or the
 * long-poll), applies each change like a pull does (never over a pending, conflicted or errored edit) and emits
 * `change`; reconnects with back-off and a fresh token, resuming from its own cursor. Returns the function that
 * stops it.
 */
export function startLive(ctx: LiveContext): () => void {
  const controller = new AbortController();
  void follow(ctx, controller.signal).catch((error: unknown) => {
    if (!controller.signal.aborted) console.error("docsync: live subscription ended", error);
  });
  return () => controller.abort();
}

async function follow(ctx: LiveContext, signal: AbortSignal): Promise<void> {
  const { sync } = ctx;
  const base = ctx.options.baseDelayMs ?? 500;
  const max = ctx.options.maxDelayMs ?? 30_000;
  let streaming = (ctx.options.mode ?? "stream") === "stream";
  let failures = 0;
  let silentStreams = 0;
  let cursor: string | undefined;
  while (!signal.aborted) {
    if (!sync.isOnline()) {
      await pause(1_000, signal);
      continue;
    }
    // Start where the syncs left the database (a new one is filled by the first sync's snapshot).
    cursor ??= await getCursor(await sync.store());
    if (cursor === undefined) {
      await pause(1_000, signal);
      continue;
    }
    // Stopped while reading the cursor: open nothing (an aborted signal never fires its "abort" event again).
    if (signal.aborted) return;
    let outcome: Outcome;
    const from = cursor;
    const began = Date.now();
    if (streaming) {
      outcome = await streamOnce(ctx, from, signal, (next) => (cursor = next));
    } else {
      outcome = await pollOnce(ctx, from, signal, (next) => (cursor = next));
    }
    if (signal.aborted) return;
    if (outcome.kind === "unavailable") {
      console.warn(`docsync: no event stream (${outcome.why}); following the feed by long-poll`);
      streaming = false;
      continue;
    }
    if (outcome.kind === "ended" && (!streaming || Date.now() - began > 2_000)) {
      failures = 0;
      continue; // reconnect at once, with whatever token the function gives now
    }
    if (outcome.kind === "ended") outcome = { kind: "failed", why: "the stream ended at once", delivered: true };
    if (streaming && !outcome.delivered) {
      // Streams that open and then say nothing (a buffering proxy): after a few, the long-poll does better.
      if (++silentStreams >= 3) {
        streaming = false;
        continue;
      }
    } else if (outcome.delivered) {
      silentStreams = 0;
      failures = 0;
    }
    failures++;
    const delay = outcome.retryAfterMs ?? jittered(failures, base, max);
    await pause(Math.min(delay, max), signal);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(finish, ms);
    (timer as { unref?: () => void }).unref?.();
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener("abort", finish);
      done();
    }
    signal.addEventListener("abort", finish, { once: true });
  });
}

/**
 * Applies changes under the sync lock and moves the stored cursor from `from` to `to` only when it still stands at
 * `from` (a sync's pull may have gone further meanwhile: then it stays). False when a read failed.
 */
async function apply(ctx: LiveContext, items: ChangeItem[], from: string, to: string): Promise<boolean> {
  return ctx.syncLock.run(async () => {
    const store = await ctx.sync.store();
    const report: SyncReport = { total: 0, successful: 0, merged: 0, failed: 0, conflicts: [], errors: [], pulled: 0, batches: 0 };
    if (!(await applyChanges(ctx.sync, store, items, report, new Meter()))) return false;
    if ((await getCursor(store)) === from) await setCursor(store, to);
    return true;
  });
}

const UNAVAILABLE = new Set([404, 405, 406, 501]);
const decoder = () => new TextDecoder();

async function streamOnce(ctx: LiveContext, since: string, signal: AbortSignal, advance: (cursor: string) => void): Promise<Outcome> {
  const local = new AbortController();
  const stop = () => local.abort();
  signal.addEventListener("abort", stop, { once: true });
  try {
    const opened = await ctx.sync.transport.openStream(ctx.sync.workspaceId, since, local.signal);
    if (opened.kind === "failed") return { kind: "failed", why: opened.message, delivered: false };
    if (opened.kind === "refused") {
      if (UNAVAILABLE.has(opened.status)) return { kind: "unavailable", why: `HTTP ${opened.status}` };
      return { kind: "failed", why: `HTTP ${opened.status}`, retryAfterMs: opened.retryAfterMs, delivered: false };
    }
    const { response } = opened;
    const type = response.headers.get("Content-Type") ?? "";
    if (!response.body || !type.startsWith("text/event-stream")) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: "unavailable", why: response.body ? `answered ${type || "no type"}` : "no response body stream" };
    }
    const reader = response.body.getReader();
    const text = decoder();
    const parser = new EventStreamParser();
    const idleMs = ctx.options.idleMs ?? 45_000;
    let delivered = false;
    let position = since;
    let idle: ReturnType<typeof setTimeout> | undefined;
    const watch = () => {
      clearTimeout(idle);
      idle = setTimeout(stop, idleMs);
      (idle as { unref?: () => void }).unref?.();
    };
    try {
      for (;;) {
        watch();
        const chunk = await reader.read();
        if (chunk.done) return { kind: "ended" };
        delivered = true;
        const events = parser.push(text.decode(chunk.value, { stream: true }));
        const changes: ChangeItem[] = [];
        let last = position;
        for (const event of events) {
          if (event.event !== "change" || !event.id) continue;
          changes.push(JSON.parse(event.data) as ChangeItem);
          last = event.id;
        }
        if (changes.length === 0) continue;
        if (!(await apply(ctx, changes, position, last))) return { kind: "failed", why: "a document read failed", delivered };
        position = last;
        advance(last);
      }
    } catch (error) {
      if (signal.aborted) return { kind: "ended" };
      return { kind: "failed", why: local.signal.aborted ? `silent for ${idleMs} ms` : String(error), delivered };
    } finally {
      clearTimeout(idle);
      local.abort();
      reader.releaseLock?.();
    }
  } finally {
    signal.removeEventListener("abort", stop);
  }
}

async function pollOnce(ctx: LiveContext, since: string, signal: AbortSignal, advance: (cursor: string) => void): Promise<Outcome> {
  const waitSeconds = ctx.options.waitSeconds ?? 25;
  const asked = Date.now();
  const page = await ctx.sync.transport.changes(ctx.sync.workspaceId, since, 1000, undefined, { states: true, waitSeconds, signal });
  if (signal.aborted) return { kind: "ended" };
  if (page.kind === "failed") return { kind: "failed", why: page.failure.message, delivered: false };
  if (page.kind === "refused") return { kind: "failed", why: `HTTP ${page.status}`, delivered: false };
  const next = page.body.next_cursor;
  if (page.body.items.length > 0 && !(await apply(ctx, page.body.items, since, next))) {
    return { kind: "failed", why: "a document read failed", delivered: true };
  }
  advance(next);
  // An empty page at once: this server does not hold the request; back off rather than ask in a loop.
  if (page.body.items.length === 0 && Date.now() - asked < 1_000) return { kind: "failed", why: "the long-poll was not held", delivered: false };
  return { kind: "ended" };
}

