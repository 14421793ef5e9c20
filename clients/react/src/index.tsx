import { createContext, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from "react";
import type { ChangeEvent, Conflict, DocsyncClient, LocalDocument, SyncProgress, SyncReport, SyncStats } from "@docsync/client";

// Thin bindings: every decision about syncing lives in @docsync/client; these only subscribe and re-read.

const ClientContext = createContext<DocsyncClient | null>(null);

export interface DocsyncProviderProps {
  /** The client of the logged-in user (a new login gives a new client, or a token function that returns the new token). */
  client: DocsyncClient | null;
  /** Start auto-sync for this client (default true): sync now, on `online`, periodically, and on a new token. */
  autoSync?: boolean;
  children?: ReactNode;
}

export function DocsyncProvider({ client, autoSync = true, children }: DocsyncProviderProps) {
  useEffect(() => {
    if (!client || !autoSync) return undefined;
    client.startAutoSync();
    return () => client.stopAutoSync();
  }, [client, autoSync]);
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

/** The client of the nearest DocsyncProvider (null when nobody is logged in). */
export function useDocsync(): DocsyncClient | null {
  return useContext(ClientContext);
}

export interface QueryState<T> {
  data: T;
  status: "idle" | "loading" | "success" | "error";
  error: unknown;
}

const byUpdated = (a: LocalDocument, b: LocalDocument) => (b.updated_at ?? "").localeCompare(a.updated_at ?? "") || a.document_id.localeCompare(b.document_id);

/**
 * The local documents of one client, shared by every hook that shows them: read in full once, then only the
 * documents each `change` event names (a change without names — another tab cleared the database — reads all again).
 */
class DocumentsView {
  private readonly documents = new Map<string, LocalDocument>();
  private state: QueryState<LocalDocument[]> = { data: [], status: "loading", error: null };
  private readonly listeners = new Set<() => void>();
  private detach: (() => void) | undefined;
  private work: Promise<void> = Promise.resolve();

  constructor(private readonly client: DocsyncClient) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (!this.detach) {
      this.detach = this.client.on("change", (event) => this.enqueue(event));
      this.enqueue({});
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.detach?.();
        this.detach = undefined;
      }
    };
  };

  readonly snapshot = (): QueryState<LocalDocument[]> => this.state;

  private enqueue(event: ChangeEvent): void {
    this.work = this.work.then(() => this.apply(event)).then(
      () => this.publish({ data: [...this.documents.values()].sort(byUpdated), status: "success", error: null }),
      (error: unknown) => this.publish({ ...this.state, status: "error", error }),
    );
  }

  private async apply(event: ChangeEvent): Promise<void> {
    if (!event.ids) {
      const all = await this.client.documents.list();
      this.documents.clear();
      for (const doc of all) this.documents.set(doc.document_id, doc);
      return;
    }
    for (const id of new Set(event.ids)) {
      const doc = await this.client.documents.get(id);
      if (doc) this.documents.set(id, doc);
      else this.documents.delete(id);
    }
  }

  private publish(state: QueryState<LocalDocument[]>): void {
    this.state = state;
    for (const listener of [...this.listeners]) listener();
  }
}

const views = new WeakMap<DocsyncClient, DocumentsView>();
const IDLE: QueryState<LocalDocument[]> = { data: [], status: "idle", error: null };
const noSubscription = () => () => undefined;

function viewOf(client: DocsyncClient): DocumentsView {
  let view = views.get(client);
  if (!view) {
    view = new DocumentsView(client);
    views.set(client, view);
  }
  return view;
}

/** The local documents (each with its `sync_status`), newest first; re-reads only what each change names. */
export function useDocuments(): QueryState<LocalDocument[]> {
  const client = useDocsync();
  const view = client ? viewOf(client) : undefined;
  return useSyncExternalStore(view?.subscribe ?? noSubscription, view?.snapshot ?? (() => IDLE), view?.snapshot ?? (() => IDLE));
}

/** Re-runs `read` (something cheap: not the documents) whenever the client reports a change or a sync ends. Never throws into render. */
function useClientQuery<T>(read: (client: DocsyncClient) => Promise<T>, initial: T): QueryState<T> {
  const client = useDocsync();
  const [state, setState] = useState<QueryState<T>>({ data: initial, status: client ? "loading" : "idle", error: null });
  useEffect(() => {
    if (!client) {
      setState({ data: initial, status: "idle", error: null });
      return undefined;
    }
    let live = true;
    const refresh = () => {
      read(client).then(
        (data) => live && setState({ data, status: "success", error: null }),
        (error: unknown) => live && setState((s) => ({ ...s, status: "error", error })),
      );
    };
    refresh();
    const offChange = client.on("change", refresh);
    const offSynced = client.on("synced", refresh);
    return () => {
      live = false;
      offChange();
      offSynced();
    };
    // `read` and `initial` are fixed per call site.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client]);
  return state;
}

export interface SyncStatus {
  pending: number;
  syncing: boolean;
  /** The progress of the running (or last) sync. */
  progress: SyncProgress | null;
  conflicts: Conflict[];
  lastReport: SyncReport | null;
  sync: () => Promise<SyncReport | null>;
}

/** Pending count, progress of the running sync, open conflicts and the last report. */
export function useSyncStatus(): SyncStatus {
  const client = useDocsync();
  const pending = useClientQuery(async (c) => (await c.pending()).length, 0);
  const documents = useDocuments();
  const conflicts = useMemo(() => documents.data.flatMap((d) => (d.conflict ? [d.conflict] : [])), [documents.data]);
  const [progress, setProgress] = useState<SyncProgress | null>(null);
  const [lastReport, setLastReport] = useState<SyncReport | null>(null);
  const [syncing, setSyncing] = useState(false);
  useEffect(() => {
    if (!client) return undefined;
    const offProgress = client.on("progress", (p) => {
      setProgress(p);
      setSyncing(true);
    });
    // Every sync ends with `synced`, also one that failed: the Sync button never stays disabled.
    const offSynced = client.on("synced", (report) => {
      setLastReport(report);
      setSyncing(false);
    });
    return () => {
      offProgress();
      offSynced();
    };
  }, [client]);
  const sync = useCallback(async () => (client ? client.sync() : null), [client]);
  return { pending: pending.data, syncing, progress, conflicts, lastReport, sync };
}

/** The last syncs' stats (oldest first, at most 50), refreshed after each sync. */
export function useSyncStats(): SyncStats[] {
  const client = useDocsync();
  const [stats, setStats] = useState<SyncStats[]>([]);
  useEffect(() => {
    if (!client) {
      setStats([]);
      return undefined;
    }
    let live = true;
    client.stats().then((all) => live && setStats(all), () => undefined);
    const off = client.on("stats", (s) => setStats((all) => [...all, s].slice(-50)));
    return () => {
      live = false;
      off();
    };
  }, [client]);
  return stats;
}
