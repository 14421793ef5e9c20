import { conflictOf, defined, dropOpenEntries, entriesOf, isOpen, mineOf, refuse, write, type Tx } from "./local.js";
import { fromServer, type QueuedOperation, type Store, type StoredDocument } from "./store.js";
import type { Conflict, DocumentView, OperationError } from "./types.js";

// What happens to a local copy from outside the push: the server's state arriving (pull, a conflict read later),
// and the user's decisions about a conflict or an error. None of them overwrites my content unasked.

/** The server's state of a conflicted document read later (`current_omitted`, or the change feed): recorded beside mine. */
export async function markConflict(store: Store, theirs: DocumentView): Promise<Conflict | undefined> {
  const tx = write(store);
  const doc = await tx.objectStore("documents").get(theirs.document_id);
  if (!doc || doc.sync_status !== "conflict") {
    await tx.done;
    return undefined;
  }
  await dropOpenEntries(tx, doc.document_id);
  const conflict = conflictOf(doc, theirs);
  await tx.objectStore("documents").put(doc);
  await tx.done;
  return conflict;
}

export type RemoteOutcome = "refreshed" | "removed" | "conflict" | "unchanged";

export interface RemoteOptions {
  /**
   * `onConflict: "merge"`: a pending edit of mine met by a newer remote state stays pending; its push merges it with
   * that state on the server (a conflict only if they collide).
   */
  mergePending?: boolean;
}

/**
 * A document another client changed (from the change feed): taken over when nothing of mine is open, a conflict when
 * an edit of mine is pending, and never over a conflicted or errored copy (mine stays until I decide; an error
 * remembers the newer server state for discard()). `null` means it is gone (404).
 */
export async function applyRemote(store: Store, id: string, theirs: DocumentView | null,
  options: RemoteOptions = {}): Promise<{ outcome: RemoteOutcome; conflict?: Conflict }> {
  return (await applyRemoteAll(store, [[id, theirs]], options))[0]!;
}

/**
 * As applyRemote for many documents, in one transaction (a snapshot page, a feed page). The local copies and queue
 * entries are read in parallel and the writes issued without waiting for each: in a browser every IndexedDB request
 * awaited in turn is a round trip, and a 10,000-document bootstrap made 30,000 of them.
 */
export async function applyRemoteAll(store: Store, states: Iterable<[string, DocumentView | null]>,
  options: RemoteOptions = {}): Promise<{ id: string; outcome: RemoteOutcome; conflict?: Conflict }[]> {
  const list = [...new Map(states)]; // one state per document: the last given
  const tx = write(store);
  const documents = tx.objectStore("documents");
  const byDocument = tx.objectStore("queue").index("by_document");
  const [docs, entries] = await Promise.all([
    Promise.all(list.map(([id]) => documents.get(id))),
    Promise.all(list.map(([id]) => byDocument.getAll(id))),
  ]);
  const writes: Promise<unknown>[] = [];
  const out: { id: string; outcome: RemoteOutcome; conflict?: Conflict }[] = [];
  for (const [i, [id, theirs]] of list.entries()) {
    out.push({ id, ...(await applyIn(tx, id, theirs, docs[i], entries[i]!, writes, options)) });
  }
  await Promise.all(writes);
  await tx.done;
  return out;
}

async function applyIn(tx: Tx, id: string, theirs: DocumentView | null, doc: StoredDocument | undefined,
  entries: QueuedOperation[], writes: Promise<unknown>[], options: RemoteOptions): Promise<{ outcome: RemoteOutcome; conflict?: Conflict }> {
  const documents = tx.objectStore("documents");
  let result: { outcome: RemoteOutcome; conflict?: Conflict } = { outcome: "unchanged" };
  if (doc && theirs && doc.version !== null && doc.version >= theirs.version) {
    // my own write, or already seen
  } else if (doc && (entries.length > 0 || doc.sync_status === "conflict" || doc.sync_status === "error")) {
    // In flight: its own result will tell. Gone (404) with my edits: the push will report it.
    const inFlight = entries.some((e) => !isOpen(e));
    if (theirs && !inFlight) {
      if (options.mergePending && doc.sync_status === "pending") {
        // left for the push to merge
      } else if (doc.sync_status === "error") {
        if (doc.error) writes.push(documents.put({ ...doc, error: { ...doc.error, current: theirs } }));
      } else if (doc.conflict?.theirs.version !== theirs.version) {
        await dropOpenEntries(tx, id);
        const conflict = conflictOf(doc, theirs);
        writes.push(documents.put(doc));
        result = { outcome: "conflict", conflict };
      }
    }
  } else if (!theirs || theirs.deleted) {
    if (doc) {
      writes.push(documents.delete(id));
      result = { outcome: "removed" };
    }
  } else {
    writes.push(documents.put(fromServer(theirs)));
    result = { outcome: "refreshed" };
  }
  return result;
}

/**
 * Settles a conflict. "theirs": the local copy becomes the server's. "mine": my edit is queued again on the
 * server's version (an update with all my fields, or my delete); a document the other side deleted cannot be
 * revived (ids are never reused), so that ends as an error.
 */
export async function resolveConflict(store: Store, id: string, choice: "mine" | "theirs", now: string): Promise<StoredDocument | undefined> {
  const tx = write(store);
  const documents = tx.objectStore("documents");
  const doc = await documents.get(id);
  if (!doc?.conflict) return refuse(tx, `document ${id} is not in conflict`);
  const { theirs } = doc.conflict;
  const mine = mineOf(doc);
  await dropOpenEntries(tx, id);
  let out: StoredDocument | undefined;
  if (choice === "theirs" || (mine.deleted && theirs.deleted)) {
    if (theirs.deleted) await documents.delete(id);
    else await documents.put((out = fromServer(theirs)));
  } else if (theirs.deleted) {
    const error: OperationError = { document_id: id, code: "deleted", message: "the document was deleted on the server" };
    out = { ...doc, version: theirs.version, sync_status: "error", error, updated_at: now };
    delete out.conflict;
    await documents.put(out);
  } else {
    out = { ...doc, version: theirs.version, sync_status: "pending", updated_at: now };
    delete out.conflict;
    delete out.error;
    delete out.yjs_merges;
    await documents.put(out);
    await tx.objectStore("queue").add(mine.deleted
      ? { document_id: id, operation: "delete", data: {}, batch_key: null }
      : { document_id: id, operation: "update", data: defined(mine), batch_key: null });
  }
  await tx.done;
  return out;
}

/**
 * The user wants an errored document sent again: all of its content (never only the fields changed since), as an
 * update on the version it is based on — on the server's version when its create met someone else's document.
 */
export async function retryDocument(store: Store, id: string, now: string): Promise<StoredDocument> {
  const tx = write(store);
  const doc = await tx.objectStore("documents").get(id);
  if (!doc || doc.sync_status !== "error") return refuse(tx, `document ${id} is not in error`);
  const current = doc.error?.current;
  if (current?.deleted || (doc.error?.code === "deleted" && !doc.deleted)) {
    return refuse(tx, `document ${id} was deleted on the server and cannot be revived: discard it`);
  }
  await dropOpenEntries(tx, id);
  const version = doc.version ?? current?.version ?? null;
  if (doc.deleted && version === null) {
    await tx.objectStore("documents").delete(id);
    await tx.done;
    return doc;
  }
  const operation = doc.deleted ? "delete" : version === null ? "create" : "update";
  await tx.objectStore("queue").add({ document_id: id, operation, data: doc.deleted ? {} : defined(doc), batch_key: null });
  const out: StoredDocument = { ...doc, version, sync_status: "pending", updated_at: now };
  delete out.error;
  delete out.yjs_merges;
  await tx.objectStore("documents").put(out);
  await tx.done;
  return out;
}

/**
 * The user drops their edits of a document: it becomes the server's copy (`theirs` when given or known from the
 * conflict or error), or goes when it never reached the server. "needs-server-copy": read it and call again.
 */
export async function discardEdits(store: Store, id: string, serverCopy?: DocumentView | null): Promise<"done" | "needs-server-copy"> {
  const tx = write(store);
  const doc = await tx.objectStore("documents").get(id);
  if (!doc) {
    await tx.done;
    return "done";
  }
  if ((await entriesOf(tx, id)).some((e) => !isOpen(e))) return refuse(tx, `document ${id} is being sent: wait for its result`);
  const theirs = serverCopy !== undefined ? serverCopy : doc.conflict?.theirs ?? doc.error?.current;
  if (theirs === undefined && doc.version !== null) {
    await tx.done;
    return "needs-server-copy";
  }
  await dropOpenEntries(tx, id);
  if (!theirs || theirs.deleted) await tx.objectStore("documents").delete(id);
  else await tx.objectStore("documents").put(fromServer(theirs));
  await tx.done;
  return "done";
}
