/**
 * One syncing tab per database. Where the browser has Web Locks, sync runs under an exclusive lock named after the
 * database, so a second tab's sync waits for the first and then finds its work done; where it has none (Node, an
 * insecure context), clients of one database in one process queue on an in-process lock instead.
 */
export interface SyncLock {
  run<T>(work: () => Promise<T>): Promise<T>;
}

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

const inProcess = new Map<string, Promise<unknown>>();

export function syncLock(databaseName: string): SyncLock {
  return exclusiveLock(`docsync-sync:${databaseName}`);
}

/**
 * The tab that holds the live subscription of a database (one stream per database and browser): the others wait
 * in line and learn of changes through the BroadcastChannel.
 */
export function liveLock(databaseName: string): SyncLock {
  return exclusiveLock(`docsync-live:${databaseName}`);
}

/** An exclusive lock: a Web Lock where there are any, else one queue per name in this process. */
export function exclusiveLock(name: string): SyncLock {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  if (locks && typeof locks.request === "function") return { run: (work) => locks.request(name, work) };
  return {
    run<T>(work: () => Promise<T>): Promise<T> {
      const previous = inProcess.get(name) ?? Promise.resolve();
      const mine = previous.then(work, work);
      const tail = mine.catch(() => undefined);
      inProcess.set(name, tail);
      void tail.then(() => {
        if (inProcess.get(name) === tail) inProcess.delete(name);
      });
      return mine;
    },
  };
}

/** What tabs of one database tell each other. */
export type TabMessage =
  | { type: "change"; ids?: string[] }
  | { type: "cleared" };

/** A BroadcastChannel named after the database (a no-op where there is none). */
export class TabChannel {
  private readonly channel: BroadcastChannel | undefined;

  constructor(databaseName: string, onMessage: (message: TabMessage) => void) {
    const Channel = (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel;
    this.channel = Channel ? new Channel(`docsync:${databaseName}`) : undefined;
    if (this.channel) {
      this.channel.onmessage = (event: MessageEvent<TabMessage>) => onMessage(event.data);
      (this.channel as { unref?: () => void }).unref?.(); // Node: never keep the process alive for it
    }
  }

  post(message: TabMessage): void {
    try {
      this.channel?.postMessage(message);
    } catch {
      // closed: nobody to tell
    }
  }

  close(): void {
    this.channel?.close();
  }
}
