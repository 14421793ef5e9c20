import { Emitter, type DocsyncEvents, type Listener } from "./events.js";
import { discardEdits, markConflict, resolveConflict, retryDocument } from "./decisions.js";
import { LocalEditError } from "./local.js";
import { MAX_OPERATIONS, pendingOperations, type OnConflict, queueCreate, queueDelete, queueUpdate } from "./queue.js";
import { BatchSizer, type Meter } from "./stats.js";
import {
  deleteStore, getDocument, isQuotaError, listDocuments, listStats, openStore, setUnreadConflicts, unreadConflicts,
  type QueuedOperation, type Store,
} from "./store.js";
import { startLive, type LiveOptions } from "./live.js";
import { runSync, type SyncContext } from "./sync.js";
import { TabChannel, liveLock, syncLock, type SyncLock, type TabMessage } from "./tabs.js";
import { Transport, jittered, type RetryPolicy, type TokenSource } from "./transport.js";
import type { DocumentFields, LocalDocument, NewDocumentInput, ServerLimits, StorageInfo, SyncReport, SyncStats } from "./types.js";

export interface DocsyncClientOptions {
  baseUrl: string;
  /** A token, or a function read on every request (called with `{ refresh: true }` after a 401). */
  token: TokenSource;
  workspaceId: string;
  /** The IndexedDB database: one per user and workspace, e.g. `docsync-alice-ws_demo`. */
  databaseName: string;
  retry?: Partial<RetryPolicy>;
  pollTimeoutMs?: number;
  /** How long one request may take before it is aborted and retried (default 30 s). */
  requestTimeoutMs?: number;
  /** Auto-sync period (default 30 s). */
  autoSyncIntervalMs?: number;
  /** With auto-sync on, a local edit is pushed this long after the last edit (default 300 ms; false: wait for the period). */
  pushDelayMs?: number | false;
  /** Between failed automatic syncs: exponential back-off with jitter (default 2 s doubling up to 5 min). */
  syncBackoff?: { baseDelayMs?: number; maxDelayMs?: number };
  /** After an `auth` failure, auto-sync looks for a new token after this long, then ever less often (default 1 s). */
  tokenCheckIntervalMs?: number;
  /** Whether to try the network at all (default `navigator.onLine` where there is one). */
  isOnline?: () => boolean;
  fetch?: typeof fetch;
  /**
   * The live subscription startAutoSync() holds (the event stream, long-poll as the fallback); `false`: none, only
   * the periodic sync.
   */
  live?: LiveOptions | false;
  /**
   * What the server does with an edit made on a stale version: `"report"` it as a conflict (default), or `"merge"` it
   * three-way with what changed since (status merged; a conflict only where both sides changed the same lines, the
   * title, or the document was deleted). Yjs states that collide are merged here and sent again.
   */
  onConflict?: OnConflict;
  /** The clock (ms since the epoch); tests move it to age stored batches. */
  now?: () => number;
}

export interface DocsyncDocuments {
  /** Queued: works offline; the document is in the local store at once, `pending`. */
  create(input: NewDocumentInput): Promise<LocalDocument>;
  /** Queued; its base_version is the last synced version. A document in conflict or error changes only locally. */
  update(id: string, fields: DocumentFields): Promise<LocalDocument>;
  delete(id: string): Promise<void>;
  get(id: string): Promise<LocalDocument | undefined>;
  list(): Promise<LocalDocument[]>;
}

export interface DocsyncClient {
  readonly workspaceId: string;
  readonly documents: DocsyncDocuments;
  pending(): Promise<QueuedOperation[]>;
  /** Push what is queued, then pull the change feed. Always ends; a sync asked for while one runs follows it. */
  sync(): Promise<SyncReport>;
  on<K extends keyof DocsyncEvents>(event: K, listener: Listener<DocsyncEvents[K]>): () => void;
  off<K extends keyof DocsyncEvents>(event: K, listener: Listener<DocsyncEvents[K]>): void;
  /** "mine": my edit is queued again on the server's version; "theirs": the server's state is taken. */
  resolve(id: string, choice: "mine" | "theirs"): Promise<LocalDocument | undefined>;
  /** A document in `error`: send all of my content again (on the server's version where its create met another's). */
  retry(id: string): Promise<LocalDocument>;
  /** Drop my edits of a document (in error, conflict or pending): it becomes the server's copy, or goes. */
  discard(id: string): Promise<void>;
  /** The last 50 syncs, oldest first. */
  stats(): Promise<SyncStats[]>;
  /** Whether the browser keeps the database under storage pressure, and how full storage is. */
  storage(): Promise<StorageInfo>;
  /** Deletes the local database (logout on a shared device); other tabs of it close theirs. */
  clear(): Promise<void>;
  /** Sync now, when the browser comes online, periodically (backing off after failures), and on a new token. */
  startAutoSync(): void;
  stopAutoSync(): void;
  readonly syncing: boolean;
  /** Stops auto-sync and closes the database. */
  close(): Promise<void>;
}

export function createDocsyncClient(options: DocsyncClientOptions): DocsyncClient {
  return new Client(options);
}

interface StorageManagerLike {
  persist?(): Promise<boolean>;
  persisted?(): Promise<boolean>;
  estimate?(): Promise<{ usage?: number; quota?: number }>;
}

function storageManager(): StorageManagerLike | undefined {
  return (globalThis as { navigator?: { storage?: StorageManagerLike } }).navigator?.storage;
}

function defaultOnline(): boolean {
  const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
  return typeof nav?.onLine === "boolean" ? nav.onLine : true;
}

type EventTargetLike = { addEventListener?: (type: string, fn: () => void) => void; removeEventListener?: (type: string, fn: () => void) => void };

class Client implements DocsyncClient {
  readonly workspaceId: string;
  readonly documents: DocsyncDocuments;
  private store: Promise<Store> | undefined;
  private readonly transport: Transport;
  private readonly events = new Emitter<DocsyncEvents>();
  private readonly lock: SyncLock;
  private readonly channel: TabChannel;
  private readonly sizer = new BatchSizer(MAX_OPERATIONS);
  private readonly now: () => number;
  private serverLimits: Promise<ServerLimits | undefined> | undefined;
  private running: Promise<SyncReport> | undefined;
  private following: Promise<SyncReport> | undefined;
  private stopAuto: (() => void) | undefined;
  /** With auto-sync on: push local edits soon. */
  private pushSoon: (() => void) | undefined;
  private closed = false;

  constructor(private readonly options: DocsyncClientOptions) {
    this.workspaceId = options.workspaceId;
    this.now = options.now ?? Date.now;
    this.transport = new Transport(options);
    this.lock = syncLock(options.databaseName);
    this.channel = new TabChannel(options.databaseName, (message) => this.fromOtherTab(message));
    void this.db().catch(() => undefined);
    // Ask once, at start, that the browser not evict this origin's data under storage pressure.
    void storageManager()?.persist?.().catch(() => false);
    const now = () => new Date(this.now()).toISOString();
    this.documents = {
      create: (input) => this.edit(async (store) => queueCreate(store, input, now()), (doc) => [doc.document_id]),
      update: (id, fields) => this.edit(async (store) => queueUpdate(store, id, fields, now()), () => [id]),
      delete: (id) => this.edit(async (store) => queueDelete(store, id, now()), () => [id]),
      get: async (id) => getDocument(await this.db(), id),
      list: async () => listDocuments(await this.db()),
    };
  }

  /** The database, opened on first use and again after the browser closed it or another tab upgraded it. */
  private db(): Promise<Store> {
    this.store ??= openStore(this.options.databaseName, {
      blocked: () => this.events.emit("error", { code: "blocked", message: "another tab holds an older version of the database open" }),
      closedForVersionChange: () => {
        this.store = undefined;
        this.events.emit("error", { code: "versionchange", message: "another tab upgrades or deletes the database; it was closed here" });
      },
      terminated: () => {
        this.store = undefined;
        this.events.emit("error", { code: "terminated", message: "the browser closed the database; it is opened again on next use" });
      },
    });
    return this.store;
  }

  /** A local edit: a storage refusal (quota) is an `error` event as well as the caller's exception. */
  private async edit<T>(work: (store: Store) => Promise<T>, ids: (value: T) => string[]): Promise<T> {
    try {
      const value = await work(await this.db());
      this.changed(ids(value));
      this.pushSoon?.();
      return value;
    } catch (error) {
      if (isQuotaError(error)) this.events.emit("error", { code: "quota", message: "the browser refused to store the edit: storage is full" });
      throw error;
    }
  }

  private changed(ids?: string[]): void {
    this.events.emit("change", ids ? { ids } : {});
    this.channel.post(ids ? { type: "change", ids } : { type: "change" });
  }

  private fromOtherTab(message: TabMessage): void {
    if (message.type === "cleared") {
      this.events.emit("change", {});
    } else {
      this.events.emit("change", message.ids ? { ids: message.ids } : {});
    }
  }

  get syncing(): boolean {
    return this.running !== undefined;
  }

  async pending(): Promise<QueuedOperation[]> {
    return pendingOperations(await this.db());
  }

  sync(): Promise<SyncReport> {
    if (this.running) {
      this.following ??= this.running.then(() => undefined, () => undefined).then(() => {
        this.following = undefined;
        return this.sync();
      });
      return this.following;
    }
    const run = (async () => {
      try {
        // One tab (or client) of a database syncs at a time; the next one finds the work done.
        return await this.lock.run(() => runSync(this.syncContext()));
      } finally {
        this.running = undefined;
      }
    })();
    this.running = run;
    return run;
  }

  private syncContext(): SyncContext {
    return {
      store: () => this.db(),
      transport: this.transport,
      workspaceId: this.workspaceId,
      events: this.events,
      isOnline: this.options.isOnline ?? defaultOnline,
      sizer: this.sizer,
      limits: (meter) => this.limits(meter),
      changed: (ids) => this.changed(ids),
      now: this.now,
      onConflict: this.options.onConflict ?? "report",
    };
  }

  /**
   * The live subscription, held by one tab of the database at a time (the live lock; the others wait in line and
   * hear of changes through the BroadcastChannel). Returns the function that stops it or gives up waiting.
   */
  private holdLive(options: LiveOptions): () => void {
    let stopLive: (() => void) | undefined;
    let release: () => void = () => undefined;
    let stopped = false;
    const held = new Promise<void>((done) => (release = done));
    void liveLock(this.options.databaseName).run(async () => {
      if (stopped) return;
      stopLive = startLive({ sync: this.syncContext(), syncLock: this.lock, options });
      await held;
    }).catch(() => undefined);
    return () => {
      stopped = true;
      stopLive?.();
      release();
    };
  }

  private limits(meter: Meter): Promise<ServerLimits | undefined> {
    this.serverLimits ??= this.transport.limits(meter).then((answer) => {
      if (answer.kind === "ok") return answer.body;
      if (answer.kind === "failed") this.serverLimits = undefined; // ask again next time
      return undefined;
    });
    return this.serverLimits;
  }

  on<K extends keyof DocsyncEvents>(event: K, listener: Listener<DocsyncEvents[K]>): () => void {
    return this.events.on(event, listener);
  }

  off<K extends keyof DocsyncEvents>(event: K, listener: Listener<DocsyncEvents[K]>): void {
    this.events.off(event, listener);
  }

  async resolve(id: string, choice: "mine" | "theirs"): Promise<LocalDocument | undefined> {
    const store = await this.db();
    const doc = await getDocument(store, id);
    if (doc?.sync_status === "conflict" && !doc.conflict) {
      // The server's state was not in the result (current_omitted) and could not be read then: read it now.
      const theirs = await this.transport.document(this.workspaceId, id);
      if (theirs.kind !== "ok") throw new LocalEditError(`cannot read the server's copy of ${id} to resolve the conflict; try again online`);
      if (!theirs.body) throw new LocalEditError(`document ${id} is gone from the server: discard it`);
      await markConflict(store, theirs.body);
      await setUnreadConflicts(store, (await unreadConflicts(store)).filter((u) => u !== id));
    }
    const resolved = await resolveConflict(store, id, choice, new Date(this.now()).toISOString());
    this.changed([id]);
    if (this.stopAuto && choice === "mine") void this.sync();
    return resolved;
  }

  async retry(id: string): Promise<LocalDocument> {
    const retried = await retryDocument(await this.db(), id, new Date(this.now()).toISOString());
    this.changed([id]);
    if (this.stopAuto) void this.sync();
    return retried;
  }

  async discard(id: string): Promise<void> {
    const store = await this.db();
    if ((await discardEdits(store, id)) === "needs-server-copy") {
      const theirs = await this.transport.document(this.workspaceId, id);
      if (theirs.kind !== "ok") throw new LocalEditError(`cannot read the server's copy of ${id}; my edits are kept, try again online`);
      await discardEdits(store, id, theirs.body);
    }
    this.changed([id]);
  }

  async stats(): Promise<SyncStats[]> {
    return listStats(await this.db());
  }

  async storage(): Promise<StorageInfo> {
    const manager = storageManager();
    const persisted = (await manager?.persisted?.().catch(() => false)) ?? false;
    const estimate = (await manager?.estimate?.().catch(() => undefined)) ?? {};
    return { persisted, usage: estimate.usage ?? null, quota: estimate.quota ?? null };
  }

  async clear(): Promise<void> {
    this.stopAutoSync();
    await this.running?.catch(() => undefined);
    const store = this.store;
    this.store = undefined;
    (await store?.catch(() => undefined))?.close();
    await deleteStore(this.options.databaseName,
      () => this.events.emit("error", { code: "blocked", message: "another tab keeps the database open; it is deleted once that tab closes" }));
    this.channel.post({ type: "cleared" });
    this.events.emit("change", {});
  }

  startAutoSync(): void {
    if (this.stopAuto) return;
    const interval = this.options.autoSyncIntervalMs ?? 30_000;
    const backoff = { baseDelayMs: 2_000, maxDelayMs: 300_000, ...this.options.syncBackoff };
    let stopped = false;
    let failures = 0;
    let stopLive: (() => void) | undefined;
    const live = this.options.live === false ? undefined : this.options.live ?? {};
    let timer: ReturnType<typeof setTimeout> | undefined;
    const later = (ms: number, fn: () => void) => {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
      (timer as { unref?: () => void }).unref?.();
    };
    // After an `auth` failure: look for a new token (a login) ever less often, instead of every second forever.
    const awaitNewToken = (refused: string | undefined) => {
      let delay = this.options.tokenCheckIntervalMs ?? 1_000;
      const look = () => {
        this.transport.token().then((token) => {
          if (stopped) return;
          if (token !== refused) return void run();
          delay = Math.min(delay * 2, 60_000);
          later(delay, look);
        }, () => later((delay = Math.min(delay * 2, 60_000)), look));
      };
      later(delay, look);
    };
    const run = () => {
      if (stopped) return;
      clearTimeout(timer);
      this.sync().then((report) => {
        if (stopped) return;
        // After the first sync (a new database's snapshot), follow the feed live.
        if (live && !stopLive) stopLive = this.holdLive(live);
        const code = report.failure?.code;
        if (code === "auth") {
          failures = 0;
          awaitNewToken(this.transport.lastToken);
        } else if (code && code !== "offline") {
          failures++;
          later(jittered(failures, backoff.baseDelayMs, backoff.maxDelayMs), run);
        } else {
          failures = 0;
          later(interval, run);
        }
      }, (error: unknown) => {
        console.error("docsync: auto-sync failed", error);
        later(interval, run);
      });
    };
    const target = globalThis as EventTargetLike;
    target.addEventListener?.("online", run);
    const pushDelay = this.options.pushDelayMs ?? 300;
    let pushTimer: ReturnType<typeof setTimeout> | undefined;
    if (pushDelay !== false) {
      this.pushSoon = () => {
        clearTimeout(pushTimer);
        pushTimer = setTimeout(run, pushDelay);
        (pushTimer as { unref?: () => void }).unref?.();
      };
    }
    this.stopAuto = () => {
      stopped = true;
      this.pushSoon = undefined;
      clearTimeout(pushTimer);
      clearTimeout(timer);
      stopLive?.();
      target.removeEventListener?.("online", run);
    };
    run();
  }

  stopAutoSync(): void {
    this.stopAuto?.();
    this.stopAuto = undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopAutoSync();
    await this.running?.catch(() => undefined);
    this.channel.close();
    const store = this.store;
    this.store = undefined;
    (await store?.catch(() => undefined))?.close();
  }
}
