import type { ChangeEvent, Conflict, DocsyncError, SyncProgress, SyncReport, SyncStats } from "./types.js";

export interface DocsyncEvents {
  progress: SyncProgress;
  /** Every sync ends with it, also one that failed. */
  synced: SyncReport;
  conflict: Conflict;
  /** Local data changed (an edit, a sync result, a pull, another tab): views re-read what it names. */
  change: ChangeEvent;
  stats: SyncStats;
  error: DocsyncError;
}

export type Listener<T> = (value: T) => void;

/** A small typed emitter; `on` returns the function that unsubscribes. A throwing listener never breaks a sync. */
export class Emitter<E> {
  private readonly listeners = new Map<keyof E, Set<Listener<never>>>();

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    this.listeners.get(event)?.delete(listener as Listener<never>);
  }

  emit<K extends keyof E>(event: K, value: E[K]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        (listener as Listener<E[K]>)(value);
      } catch (error) {
        console.error(`docsync: a ${String(event)} listener threw`, error);
      }
    }
  }
}
