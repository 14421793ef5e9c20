import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import type { Conflict, DocsyncClient, LocalDocument, SyncProgress, SyncReport } from "@docsync/client";

// Thin bindings: every decision about syncing lives in @docsync/client; these only subscribe and re-read.

const ClientContext = createContext<DocsyncClient | null>(null);

export interface DocsyncProviderProps {
  /** The client of the logged-in user (a new login gives a new client, or a token function that returns the new token). */
  client: DocsyncClient | null;
  /** Start auto-sync for this client (default true): sync now, on `online`, on a new token and periodically. */
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

/** Re-runs `read` whenever the client reports a change (an edit, a sync result, a pull). Never throws into render. */
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

const byUpdated = (a: LocalDocument, b: LocalDocument) => (b.updated_at ?? "").localeCompare(a.updated_at ?? "") || a.document_id.localeCompare(b.document_id);

/** The local documents (each with its `sync_status`), newest first; refreshed after every edit and every sync. */
export function useDocuments(): QueryState<LocalDocument[]> {
  return useClientQuery(async (client) => (await client.documents.list()).sort(byUpdated), []);
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
  const conflicts = useClientQuery(async (c) => (await c.documents.list()).flatMap((d) => (d.conflict ? [d.conflict] : [])), [] as Conflict[]);
  const [progress, setProgress] = useState<SyncProgress | null>(null);
  const [lastReport, setLastReport] = useState<SyncReport | null>(null);
  const [syncing, setSyncing] = useState(false);
  useEffect(() => {
    if (!client) return undefined;
    const offProgress = client.on("progress", (p) => {
      setProgress(p);
      setSyncing(true);
    });
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
  return { pending: pending.data, syncing, progress, conflicts: conflicts.data, lastReport, sync };
}
