import type { BatchResult, ChangePage, DocumentView, Problem, SyncFailure } from "./types.js";

export type TokenSource = string | (() => string | Promise<string>);

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 5_000 };

export interface TransportOptions {
  baseUrl: string;
  token: TokenSource;
  retry?: Partial<RetryPolicy>;
  /** How long a 202's batch is polled before the sync gives up for now (the batch stays queued). */
  pollTimeoutMs?: number;
  fetch?: typeof fetch;
}

/** What a request came to: an answer, a refusal of the request as a whole, or no answer after the retries. */
export type Answer<T> =
  | { kind: "ok"; status: number; body: T }
  | { kind: "refused"; status: number; problem: Partial<Problem> }
  | { kind: "failed"; failure: SyncFailure };

const RETRYABLE = new Set([429, 502, 503, 504]);

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

/** HTTP for the sync: bearer token read on every request, back-off on 429/503/network errors, 202 polling. */
export class Transport {
  private readonly baseUrl: string;
  private readonly retry: RetryPolicy;
  private readonly pollTimeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.pollTimeoutMs = options.pollTimeoutMs ?? 120_000;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  async token(): Promise<string> {
    const token = this.options.token;
    return typeof token === "function" ? await token() : token;
  }

  /** Pushes one stored batch with its Idempotency-Key; a 202 is polled at its Location until completed. */
  async submitBatch(key: string, body: string): Promise<Answer<BatchResult>> {
    const answer = await this.request<BatchResult>("/api/v1/documents/batch", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": key },
      body,
    });
    if (answer.kind !== "ok" || answer.body.status === "completed") return answer;
    return this.poll(answer.location ?? `/api/v1/batches/${answer.body.batch_id}`);
  }

  async changes(workspaceId: string, since: string | undefined, limit = 1000): Promise<Answer<ChangePage>> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (since) query.set("since", since);
    return this.request<ChangePage>(`/api/v1/workspaces/${encodeURIComponent(workspaceId)}/changes?${query}`, { method: "GET" });
  }

  /** The server's state of a document: 200, or 410 with its last state (`deleted: true`); 404 is `null`. */
  async document(workspaceId: string, id: string): Promise<Answer<DocumentView | null>> {
    const answer = await this.request<DocumentView>(
      `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/documents/${encodeURIComponent(id)}`,
      { method: "GET" },
      [410],
    );
    if (answer.kind === "refused" && answer.status === 404) return { kind: "ok", status: 404, body: null };
    return answer;
  }

  private async poll(location: string): Promise<Answer<BatchResult>> {
    const deadline = Date.now() + this.pollTimeoutMs;
    let delay = 50;
    while (Date.now() < deadline) {
      await sleep(delay);
      delay = Math.min(delay * 2, 1_000);
      const answer = await this.request<BatchResult>(location, { method: "GET" });
      if (answer.kind !== "ok") return answer;
      if (answer.body.status === "completed") return answer;
    }
    return { kind: "failed", failure: { code: "unreachable", message: `batch at ${location} still pending after ${this.pollTimeoutMs} ms` } };
  }

  private async request<T>(path: string, init: RequestInit, alsoOk: number[] = []): Promise<Answer<T> & { location?: string }> {
    const url = path.startsWith("http") ? path : `${this.baseUrl}${path}`;
    let lastProblem = "";
    let lastRetryAfter: number | undefined;
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      if (attempt > 0) await sleep(this.backoff(attempt, lastRetryAfter));
      lastRetryAfter = undefined;
      let response: Response;
      try {
        const headers = new Headers(init.headers);
        headers.set("Authorization", `Bearer ${await this.token()}`);
        headers.set("Accept", "application/json, application/problem+json");
        response = await this.fetchImpl(url, { ...init, headers });
      } catch (error) {
        lastProblem = `network: ${error instanceof Error ? error.message : String(error)}`;
        continue;
      }
      if (response.ok || alsoOk.includes(response.status)) {
        const body = (response.status === 204 ? undefined : await response.json()) as T;
        const location = response.headers.get("Location") ?? undefined;
        return location === undefined ? { kind: "ok", status: response.status, body } : { kind: "ok", status: response.status, body, location };
      }
      const problem = (await response.json().catch(() => ({}))) as Partial<Problem>;
      if (RETRYABLE.has(response.status)) {
        lastRetryAfter = retryAfterMs(response.headers.get("Retry-After"));
        lastProblem = `${response.status} ${problem.detail ?? problem.title ?? ""}`.trim();
        continue;
      }
      return { kind: "refused", status: response.status, problem };
    }
    return { kind: "failed", failure: { code: "unreachable", message: `${url}: gave up after ${this.retry.attempts} attempts (${lastProblem})` } };
  }

  /** Retry-After when the server sent one, else exponential back-off with jitter. */
  private backoff(attempt: number, retryAfter: number | undefined): number {
    if (retryAfter !== undefined) return Math.min(retryAfter, 60_000);
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }
}
