import { Emitter, type DocsyncEvents, type Listener } from "./events.js";
import { pendingOperations, queueCreate, queueDelete, queueUpdate, resolveConflict } from "./queue.js";
import { getDocument, listDocuments, openStore, type QueuedOperation, type Store } from "./store.js";
import { runSync } from "./sync.js";
import { Transport, type RetryPolicy, type TokenSource } from "./transport.js";
import type { DocumentFields, LocalDocument, NewDocumentInput, SyncReport } from "./types.js";

export interface DocsyncClientOptions {
  baseUrl: string;
  /** A token, or a function read on every request (a login swaps what it returns). */
  token: TokenSource;
  workspaceId: string;
  /** The IndexedDB database: one per user and workspace, e.g. `docsync-alice-ws_demo`. */
  databaseName: string;
  retry?: Partial<RetryPolicy>;
  pollTimeoutMs?: number;
  /** Auto-sync period (default 30 s). */
  autoSyncIntervalMs?: number;
  /** How often auto-sync looks for a new token (default 1 s). */
  tokenCheckIntervalMs?: number;
  /** Whether to try the network at all (default `navigator.onLine` where there is one). */
  isOnline?: () => boolean;
  fetch?: typeof fetch;
}

export interface DocsyncDocuments {
  /** Queued: works offline; the document is in the local store at once, `pending`. */
  create(input: NewDocumentInput): Promise<LocalDocument>;
  /** Queued; its base_version is the last synced version. */
  update(id: string, fields: DocumentFields): Promise<LocalDocument>;
  delete(id: string): Promise<void>;
  get(id: string): Promise<LocalDocument | undefined>;
  list(): Promise<LocalDocument[]>;
}

export interface DocsyncClient {
  readonly workspaceId: string;
  readonly documents: DocsyncDocuments;
  pending(): Promise<QueuedOperation[]>;
  /** Push what is queued, then pull the change feed. A sync asked for while one runs follows it. */
  sync(): Promise<SyncReport>;
  on<K extends keyof DocsyncEvents>(event: K, listener: Listener<DocsyncEvents[K]>): () => void;
  off<K extends keyof DocsyncEvents>(event: K, listener: Listener<DocsyncEvents[K]>): void;
  /** "mine": my edit is queued again on the server's version; "theirs": the server's state is taken. */
  resolve(id: string, choice: "mine" | "theirs"): Promise<LocalDocument | undefined>;
  /** Sync now, when the browser comes online, when the token changes, and periodically. */
  startAutoSync(): void;
  stopAutoSync(): void;
  readonly syncing: boolean;
  /** Stops auto-sync and closes the database. */
  close(): Promise<void>;
}

export function createDocsyncClient(options: DocsyncClientOptions): DocsyncClient {
  return new Client(options);
}

function defaultOnline(): boolean {
  const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
  return typeof nav?.onLine === "boolean" ? nav.onLine : true;
}

class Client implements DocsyncClient {
  readonly workspaceId: string;
  readonly documents: DocsyncDocuments;
  private readonly store: Promise<Store>;
  private readonly transport: Transport;
  private readonly events = new Emitter<DocsyncEvents>();
  private running: Promise<SyncReport> | undefined;
  private following: Promise<SyncReport> | undefined;
  private stopAuto: (() => void) | undefined;

  constructor(private readonly options: DocsyncClientOptions) {
    this.workspaceId = options.workspaceId;
    this.store = openStore(options.databaseName);
    this.transport = new Transport(options);
    const now = () => new Date().toISOString();
    const changed = <T>(value: T) => {
      this.events.emit("change", undefined);
      return value;
    };
    this.documents = {
      create: async (input) => changed(await queueCreate(await this.store, input, now())),
      update: async (id, fields) => changed(await queueUpdate(await this.store, id, fields, now())),
      delete: async (id) => changed(await queueDelete(await this.store, id, now())),
      get: async (id) => getDocument(await this.store, id),
      list: async () => listDocuments(await this.store),
    };
  }

  get syncing(): boolean {
    return this.running !== undefined;
  }

  async pending(): Promise<QueuedOperation[]> {
    return pendingOperations(await this.store);
  }

  sync(): Promise<SyncReport> {
    if (this.running) {
      this.following ??= this.running.then(() => {
        this.following = undefined;
        return this.sync();
      }, () => {
        this.following = undefined;
        return this.sync();
      });
      return this.following;
    }
    const run = (async () => {
      try {
        return await runSync({
          store: await this.store,
          transport: this.transport,
          workspaceId: this.workspaceId,
          events: this.events,
          isOnline: this.options.isOnline ?? defaultOnline,
        });
      } finally {
        this.running = undefined;
      }
    })();
    this.running = run;
    return run;
  }

  on<K extends keyof DocsyncEvents>(event: K, listener: Listener<DocsyncEvents[K]>): () => void {
    return this.events.on(event, listener);
  }

  off<K extends keyof DocsyncEvents>(event: K, listener: Listener<DocsyncEvents[K]>): void {
    this.events.off(event, listener);
  }

  async resolve(id: string, choice: "mine" | "theirs"): Promise<LocalDocument | undefined> {
    const resolved = await resolveConflict(await this.store, id, choice, new Date().toISOString());
    this.events.emit("change", undefined);
    if (this.stopAuto && choice === "mine") void this.sync();
    return resolved;
  }

  startAutoSync(): void {
    if (this.stopAuto) return;
    const trigger = () => {
      void this.sync().catch((error: unknown) => console.error("docsync: auto-sync failed", error));
    };
    const target = globalThis as { addEventListener?: (type: string, fn: () => void) => void; removeEventListener?: (type: string, fn: () => void) => void };
    target.addEventListener?.("online", trigger);
    const periodic = setInterval(trigger, this.options.autoSyncIntervalMs ?? 30_000);
    let lastToken: string | undefined;
    let checking = false;
    const watchToken = setInterval(() => {
      if (checking) return;
      checking = true;
      this.transport.token().then((token) => {
        if (lastToken !== undefined && token !== lastToken) trigger();
        lastToken = token;
      }, () => undefined).finally(() => {
        checking = false;
      });
    }, this.options.tokenCheckIntervalMs ?? 1_000);
    for (const timer of [periodic, watchToken]) (timer as { unref?: () => void }).unref?.();
    void this.transport.token().then((token) => {
      lastToken = token;
    }, () => undefined);
    this.stopAuto = () => {
      clearInterval(periodic);
      clearInterval(watchToken);
      target.removeEventListener?.("online", trigger);
    };
    trigger();
  }

  stopAutoSync(): void {
    this.stopAuto?.();
    this.stopAuto = undefined;
  }

  async close(): Promise<void> {
    this.stopAutoSync();
    await this.running?.catch(() => undefined);
    (await this.store).close();
  }
}
