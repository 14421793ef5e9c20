// node scripts/measure-bootstrap-chromium.mjs BASE_URL JWT_SECRET COUNT (after npm run build; the stack serves the demo):
// seeds COUNT documents of ~1 KB in a fresh workspace, logs into the demo in headless Chromium, and reports the first
// sync's own stats (requests, duration, bytes) once it has bootstrapped.
import { chromium } from "playwright-core";
import { createHmac, randomUUID } from "node:crypto";
const [base, secret, countText] = process.argv.slice(2);
const count = Number(countText);
const b64 = (v) => Buffer.from(v).toString("base64url");
const tok = (user, ws) => { const h = b64(JSON.stringify({ alg: "HS256", typ: "JWT" })); const now = Math.floor(Date.now()/1000);
  const c = b64(JSON.stringify({ sub: user, iat: now, exp: now + 3600, workspaces: { [ws]: "editor" } }));
  return `${h}.${c}.${createHmac("sha256", Buffer.from(secret)).update(`${h}.${c}`).digest("base64url")}`; };
const ws = `ws_c_${randomUUID().slice(0, 8)}`;
for (let first = 0; first < count; first += 100) {
  const operations = [];
  for (let i = first; i < Math.min(count, first + 100); i++) operations.push({ client_id: `op_${i}`, operation: "create", document_id: `doc-${i}`, data: { title: `Doc ${i}`, content: "x".repeat(1000) } });
  const r = await fetch(`${base}/api/v1/documents/batch`, { method: "POST", headers: { Authorization: `Bearer ${tok("seeder", ws)}`, "Content-Type": "application/json", Prefer: "wait=30" }, body: JSON.stringify({ workspace_id: ws, atomic: false, operations }) });
  if (r.status !== 200) throw new Error(`seed ${r.status}`);
}
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
try {
  const page = await (await browser.newContext()).newPage();
  const api = [];
  page.on("request", (r) => { if (r.url().includes("/api/v1/")) api.push(r.url()); });
  await page.goto(`${base}/demo/`);
  await page.getByTestId("token-input").fill(tok("reader", ws));
  await page.getByTestId("workspace-input").fill(ws);
  await page.getByTestId("token-login").click();
  let stats;
  const deadline = Date.now() + 120_000;
  while (!stats && Date.now() < deadline) {
    stats = await page.evaluate(async () => { const c = window.docsync; if (!c) return undefined; const s = await c.stats(); return s[0]; });
    if (!stats) await new Promise((r) => setTimeout(r, 200));
  }
  const n = await page.evaluate(async () => (await window.docsync.documents.list()).filter((d) => d.sync_status === "synced").length);
  console.log(`chromium bootstrap ${count}: first sync ${stats.requests} requests, ${stats.duration_ms} ms, ${(stats.bytes_down/1048576).toFixed(1)} MiB down; ${n} synced; api requests seen: ${api.filter(u => !u.includes("/changes/stream")).length}`);
} finally { await browser.close(); }
