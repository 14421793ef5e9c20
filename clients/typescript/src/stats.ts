import type { SyncStats } from "./types.js";

/** Each push request is aimed at this long on the measured network (DESIGN §9)... */
export const PUSH_AIM_MS = 2_000;
/** ...with headroom: the server's own time varies from push to push. */
const HEADROOM = 0.9;
export const MIN_BATCH = 10;

/**
 * The push batch size, adapted to the measured network: operations per second of the last push, times the aim of
 * 2 s (less 10 %), between 10 operations and the server's limit. It shrinks at once on a slow push and grows at most twofold per
 * push, so one lucky request does not send the next batch back to a size that takes ten seconds.
 */
export class BatchSizer {
  size: number;

  constructor(private readonly max: number, initial = max) {
    this.size = initial;
  }

  observe(operations: number, elapsedMs: number): void {
    if (operations <= 0) return;
    const perSecond = operations / (Math.max(elapsedMs, 1) / 1000);
    const target = Math.floor((perSecond * PUSH_AIM_MS * HEADROOM) / 1000);
    this.size = Math.max(MIN_BATCH, Math.min(this.max, target, this.size * 2));
  }
}

/** What one sync's requests cost; the transport counts into it. */
export class Meter {
  requests = 0;
  retries = 0;
  bytesUp = 0;
  bytesDown = 0;
  ttfbMs: number | null = null;

  /** Counts one attempt of a request; returns a function to call when its headers arrive. */
  attempt(bodyBytes: number, retry: boolean, started: number, clock: () => number): () => void {
    this.requests++;
    if (retry) this.retries++;
    this.bytesUp += bodyBytes;
    return () => {
      this.ttfbMs ??= clock() - started;
    };
  }
}

export function emptyStats(startedAt: string): SyncStats {
  return {
    started_at: startedAt, duration_ms: 0, requests: 0, retries: 0, bytes_up: 0, bytes_down: 0, operations: 0,
    conflicts: 0, merged: 0, errors: 0, pulled: 0, ttfb_ms: null, batch_sizes: [], push_ms: [], failure: null,
  };
}
