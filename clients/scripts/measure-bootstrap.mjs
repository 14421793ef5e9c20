// node scripts/measure-bootstrap.mjs BASE_URL JWT_SECRET COUNT (after npm run build): seeds COUNT documents of ~1 KB in a fresh
// workspace through the batch API, then times a new client's first sync in Node (fake-indexeddb): requests, bytes, ms.
import "fake-indexeddb/auto";
import { createHmac, randomUUID } from "node:crypto";
import { createDocsyncClient } from "../typescript/dist/index.js";
const [base, secret, countText] = process.argv.slice(2);
const count = Number(countText);
const b64 = (v) => Buffer.from(v).toString("base64url");
const tok = (user, ws) => { const h = b64(JSON.stringify({ alg: "HS256", typ: "JWT" })); const now = Math.floor(Date.now()/1000);
  const c = b64(JSON.stringify({ sub: user, iat: now, exp: now + 3600, workspaces: { [ws]: "editor" } }));
  return `${h}.${c}.${createHmac("sha256", Buffer.from(secret)).update(`${h}.${c}`).digest("base64url")}`; };
const ws = `ws_m_${randomUUID().slice(0, 8)}`;
const t0 = Date.now();
for (let first = 0; first < count; first += 100) {
  const operations = [];
  for (let i = first; i < Math.min(count, first + 100); i++) operations.push({ client_id: `op_${i}`, operation: "create", document_id: `doc-${i}`, data: { title: `Doc ${i}`, content: "x".repeat(1000) } });
  const r = await fetch(`${base}/api/v1/documents/batch`, { method: "POST", headers: { Authorization: `Bearer ${tok("seeder", ws)}`, "Content-Type": "application/json", Prefer: "wait=30" }, body: JSON.stringify({ workspace_id: ws, atomic: false, operations }) });
  if (r.status !== 200) throw new Error(`seed ${r.status} ${await r.text()}`);
}
console.log(`seeded ${count} in ${Date.now() - t0} ms`);
let requests = 0, bytes = 0;
const client = createDocsyncClient({ baseUrl: base, token: tok("reader", ws), workspaceId: ws, databaseName: `m-${ws}`, isOnline: () => true,
  fetch: async (i, init) => { requests++; const r = await fetch(i, init); const body = await r.arrayBuffer(); bytes += body.byteLength; return new Response(body, { status: r.status, headers: r.headers }); } });
const t1 = performance.now();
const report = await client.sync();
const ms = performance.now() - t1;
const docs = await client.documents.list();
console.log(`bootstrap ${count}: ${requests} requests, ${(bytes/1048576).toFixed(1)} MiB, ${ms.toFixed(0)} ms, ${docs.length} docs, all synced: ${docs.every(d => d.sync_status === "synced")}, failure: ${report.failure?.code ?? "none"}`);
await client.close();
