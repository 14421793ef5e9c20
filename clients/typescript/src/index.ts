export { createDocsyncClient } from "./client.js";
export type { DocsyncClient, DocsyncClientOptions, DocsyncDocuments } from "./client.js";
export type { DocsyncEvents, Listener } from "./events.js";
export { LocalEditError, MAX_BODY_BYTES, MAX_OPERATIONS } from "./queue.js";
export type { QueuedOperation } from "./store.js";
export { DEFAULT_RETRY, retryAfterMs } from "./transport.js";
export type { RetryPolicy, TokenSource } from "./transport.js";
export type * from "./types.js";
export type { components, paths } from "./generated/api.js";
