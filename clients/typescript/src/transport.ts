import type { Meter } from "./stats.js";
import type { BatchResult, ChangePage, DocumentView, Problem, ServerLimits, SnapshotPage, SyncFailure } from "./types.js";

/**
 * A token, or a function read on every request. After a 401 it is called once more with `{ refresh: true }`: the
 * moment to return a fresh token (a login swaps what it returns).
 */
export type TokenSource = string | ((request: { refresh: boolean }) => string | Promise<string>);

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 5_000 };
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface TransportOptions {
  baseUrl: string;
  token: TokenSource;
  retry?: Partial<RetryPolicy>;
  /** How long a 202's batch is polled before the sync gives up for now (the batch stays queued). */
  pollTimeoutMs?: number;
  /** How long one request may take, answer body included, before it is aborted and retried (default 30 s). */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}


/** What a request came to: an answer, a refusal of the request as a whole, or no answer after the retries. */
export type Answer<T> =
  | { kind: "ok"; status: number; body: T; location?: string }
  | { kind: "refused"; status: number; problem: Partial<Problem> }
  | { kind: "failed"; failure: SyncFailure };

const RETRYABLE = new Set([429, 502, 503, 504]);
const encoder = new TextEncoder();

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Retry-After as delta-seconds or an HTTP date, in milliseconds. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential back-off with jitter: a random delay in the upper half of base·2^(n−1), capped. */
export function jittered(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** One attempt's outcome: an answer to return, or a reason to try again. */
type Attempt<T> = { done: Answer<T> } | { again: string; retryAfter?: number | undefined };

/**
 * HTTP for the sync: the bearer token read on every request (refreshed once after a 401), a timeout on every request
 * (headers and body), back-off on 429/503/network errors, hung and garbled answers treated as network errors (a
 * retry of a batch carries its Idempotency-Key, so it never applies twice), and 202 polling.
 */
export class Transport {
  private readonly baseUrl: string;
  private readonly retry: RetryPolicy;
  private readonly pollTimeoutMs: number;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  /** The token the last request carried. */
  lastToken: string | undefined;

  constructor(private readonly options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.pollTimeoutMs = options.pollTimeoutMs ?? 120_000;
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.now = options.now ?? Date.now;
  }

  async token(refresh = false): Promise<string> {
    const token = this.options.token;
    return typeof token === "function" ? await token({ refresh }) : token;
  }

  /** Pushes one stored batch with its Idempotency-Key; a 202 is polled at its Location until completed. */
  async submitBatch(key: string, body: string, meter?: Meter): Promise<Answer<BatchResult>> {
    // Ask the server to answer (202 at worst) well within our timeout rather than hold the request past it.
    const wait = Math.max(1, Math.floor(this.timeoutMs / 2000));
    const answer = await this.request<BatchResult>("/api/v1/documents/batch", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": key, Prefer: `wait=${wait}` },
      body,
    }, meter);
    if (answer.kind !== "ok" || answer.body.status === "completed") return answer;
    return this.poll(answer.location ?? `/api/v1/batches/${answer.body.batch_id}`, meter);
  }

  /** The change feed after `since`; `states`: each item with its document; `waitSeconds`: a long-poll. */
  async changes(workspaceId: string, since: string | undefined, limit: number, meter?: Meter,
    options: { states?: boolean; waitSeconds?: number; signal?: AbortSignal } = {}): Promise<Answer<ChangePage>> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (since) query.set("since", since);
    if (options.states) query.set("include", "state");
    if (options.waitSeconds) query.set("wait", String(options.waitSeconds));
    const init: RequestInit = { method: "GET" };
    if (options.signal) init.signal = options.signal;
    // A long-poll is held up to waitSeconds: its timeout is that much longer.
    const extraMs = (options.waitSeconds ?? 0) * 1000;
    return this.request<ChangePage>(`/api/v1/workspaces/${encodeURIComponent(workspaceId)}/changes?${query}`, init, meter, [], extraMs);
  }

  /** One page of the workspace's snapshot (a new database's bootstrap). */
  async snapshot(workspaceId: string, cursor: string | undefined, limit: number, meter?: Meter): Promise<Answer<SnapshotPage>> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set("cursor", cursor);
    return this.request<SnapshotPage>(`/api/v1/workspaces/${encodeURIComponent(workspaceId)}/snapshot?${query}`, { method: "GET" }, meter);
  }

  /**
   * Opens the change stream (one attempt; the caller reconnects with back-off): the response, whose body the
   * caller reads, or why not. The timeout covers the headers only; `signal` ends the stream. A 401 asks the
   * token function for a fresh token once.
   */
  async openStream(workspaceId: string, since: string | undefined, signal: AbortSignal):
    Promise<{ kind: "open"; response: Response } | { kind: "refused"; status: number; retryAfterMs?: number | undefined } | { kind: "failed"; message: string }> {
    const query = new URLSearchParams();
    if (since) query.set("since", since);
    const url = `${this.baseUrl}/api/v1/workspaces/${encodeURIComponent(workspaceId)}/changes/stream?${query}`;
    for (const refresh of [false, true]) {
      const controller = new AbortController();
      const stop = () => controller.abort();
      signal.addEventListener("abort", stop, { once: true });
      const timer = setTimeout(stop, this.timeoutMs);
      try {
        const token = await this.token(refresh);
        this.lastToken = token;
        const headers = new Headers({ Authorization: `Bearer ${token}`, Accept: "text/event-stream" });
        const response = await this.fetchImpl(url, { method: "GET", headers, signal: controller.signal });
        clearTimeout(timer);
        if (response.status === 401 && !refresh) {
          await response.body?.cancel().catch(() => undefined);
          continue;
        }
        if (!response.ok) {
          const retryAfter = retryAfterMs(response.headers.get("Retry-After"));
          await response.body?.cancel().catch(() => undefined);
          signal.removeEventListener("abort", stop);
          return { kind: "refused", status: response.status, retryAfterMs: retryAfter };
        }
        // The stream lives until `signal` aborts it (the listener stays for that).
        return { kind: "open", response };
      } catch (error) {
        clearTimeout(timer);
        signal.removeEventListener("abort", stop);
        return { kind: "failed", message: controller.signal.aborted ? `no answer within ${this.timeoutMs} ms` : String(error) };
      }
    }
    return { kind: "refused", status: 401 };
  }

  /** The server's state of a document: 200, or 410 with its last state (`deleted: true`); 404 is `null`. */
  async document(workspaceId: string, id: string, meter?: Meter): Promise<Answer<DocumentView | null>> {
    const answer = await this.request<DocumentView>(
      `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/documents/${encodeURIComponent(id)}`,
      { method: "GET" }, meter, [410],
    );
    if (answer.kind === "refused" && answer.status === 404) return { kind: "ok", status: 404, body: null };
    return answer;
  }

  async limits(meter?: Meter): Promise<Answer<ServerLimits>> {
    return this.request<ServerLimits>("/api/v1/limits", { method: "GET" }, meter);
  }

  private async poll(location: string, meter?: Meter): Promise<Answer<BatchResult>> {
    const deadline = this.now() + this.pollTimeoutMs;
    let delay = 50;
    while (this.now() < deadline) {
      await sleep(delay);
      delay = Math.min(delay * 2, 1_000);
      const answer = await this.request<BatchResult>(location, { method: "GET" }, meter);
      if (answer.kind !== "ok" || answer.body.status === "completed") return answer;
    }
    return { kind: "failed", failure: { code: "unreachable", message: `batch at ${location} still pending after ${this.pollTimeoutMs} ms` } };
  }

  private async request<T>(path: string, init: RequestInit, meter?: Meter, alsoOk: number[] = [], extraMs = 0): Promise<Answer<T>> {
    const url = path.startsWith("http") ? path : `${this.baseUrl}${path}`;
    let last = "";
    let retryAfter: number | undefined;
    let refreshed = false;
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      if (attempt > 0) await sleep(retryAfter !== undefined ? Math.min(retryAfter, 60_000) : jittered(attempt, this.retry.baseDelayMs, this.retry.maxDelayMs));
      if (init.signal?.aborted) break;
      let outcome = await this.attempt<T>(url, init, alsoOk, attempt > 0, false, meter, extraMs);
      if ("done" in outcome && outcome.done.kind === "refused" && outcome.done.status === 401 && !refreshed) {
        // The token expired: ask for a fresh one once, and try again at once.
        refreshed = true;
        outcome = await this.attempt<T>(url, init, alsoOk, true, true, meter, extraMs);
      }
      if ("done" in outcome) return outcome.done;
      last = outcome.again;
      retryAfter = outcome.retryAfter;
    }
    return { kind: "failed", failure: { code: "unreachable", message: `${url}: gave up after ${this.retry.attempts} attempts (${last})` } };
  }

  private async attempt<T>(url: string, init: RequestInit, alsoOk: number[], retry: boolean, refresh: boolean, meter?: Meter, extraMs = 0): Promise<Attempt<T>> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs + extraMs);
    const outer = init.signal;
    const stop = () => controller.abort();
    outer?.addEventListener("abort", stop, { once: true });
    const started = this.now();
    try {
      const token = await this.token(refresh);
      this.lastToken = token;
      const headers = new Headers(init.headers);
      headers.set("Authorization", `Bearer ${token}`);
      headers.set("Accept", "application/json, application/problem+json");
      const firstByte = meter?.attempt(typeof init.body === "string" ? encoder.encode(init.body).length : 0, retry, started, this.now);
      const response = await this.fetchImpl(url, { ...init, headers, signal: controller.signal });
      firstByte?.();
      const text = await response.text(); // under the same timeout: a body that never ends is a hung answer
      if (meter) meter.bytesDown += encoder.encode(text).length;
      if (response.ok || alsoOk.includes(response.status)) {
        let body: T;
        try {
          body = (response.status === 204 ? undefined : JSON.parse(text)) as T;
        } catch {
          // A captive portal's page or a cut answer: nothing we can read, so as good as no answer.
          return { again: `${response.status} with an unreadable body (${response.headers.get("Content-Type") ?? "no type"})` };
        }
        const location = response.headers.get("Location") ?? undefined;
        return { done: location === undefined ? { kind: "ok", status: response.status, body } : { kind: "ok", status: response.status, body, location } };
      }
      const problem = parseProblem(text);
      if (RETRYABLE.has(response.status)) {
        return { again: `${response.status} ${problem.detail ?? problem.title ?? ""}`.trim(), retryAfter: retryAfterMs(response.headers.get("Retry-After")) };
      }
      return { done: { kind: "refused", status: response.status, problem } };
    } catch (error) {
      if (controller.signal.aborted) return { again: `no answer within ${this.timeoutMs} ms` };
      return { again: `network: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", stop);
    }
  }
}

function parseProblem(text: string): Partial<Problem> {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as Partial<Problem>) : {};
  } catch {
    return {};
  }
}
