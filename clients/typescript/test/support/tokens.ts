import { createHmac, randomUUID } from "node:crypto";

const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

/** An HS256 token as ingest-api accepts it: `sub`, `exp` (required), `workspaces` {id: role}. */
export function mintToken(secret: string, user: string, workspaces: Record<string, string>, validSeconds = 3600): string {
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const now = Math.floor(Date.now() / 1000);
  const claims = b64url(JSON.stringify({ sub: user, iat: now, exp: now + validSeconds, workspaces }));
  const signature = createHmac("sha256", Buffer.from(secret, "utf8")).update(`${header}.${claims}`).digest("base64url");
  return `${header}.${claims}.${signature}`;
}

/** A workspace no other test touches. */
export function freshWorkspace(prefix = "ws_t"): string {
  return `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `ms` (no fixed sleeps). */
export async function eventually<T>(check: () => Promise<T | undefined | false>, ms = 20_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} not reached within ${ms} ms${last ? `: ${String(last)}` : ""}`);
}
