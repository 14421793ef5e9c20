import { mkdir, readFile, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM helper shared with the generate script
import { renderApiTypes } from "../../scripts/render-api.mjs";
import { baseUrl, token } from "../support/api.js";
import { CORS_TEST_ORIGIN } from "../support/stack.js";
import { freshWorkspace } from "../support/tokens.js";

describe("the server the client was generated from", () => {
  it("describes the same wire types as the committed src/generated/api.ts (regenerate: npm run generate:api -- <url>)", async () => {
    const committed = await readFile(new URL("../../src/generated/api.ts", import.meta.url), "utf8");
    const fresh = (await renderApiTypes(baseUrl())) as string;
    if (fresh !== committed) {
      await mkdir(new URL("../../test-results/", import.meta.url), { recursive: true });
      await writeFile(new URL("../../test-results/api.fresh.ts", import.meta.url), fresh);
    }
    expect(fresh, "src/generated/api.ts drifted from the server (fresh copy in typescript/test-results/api.fresh.ts)").toBe(committed);
  });

  it("answers CORS preflights only for the origins in DOCSYNC_CORS_ORIGINS, exposing the headers a client reads", async () => {
    const preflight = (origin: string) => fetch(`${baseUrl()}/api/v1/documents/batch`, {
      method: "OPTIONS",
      headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type,idempotency-key" },
    });
    const allowed = await preflight(CORS_TEST_ORIGIN);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(CORS_TEST_ORIGIN);
    expect(allowed.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("idempotency-key");

    const other = await preflight("http://elsewhere.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();

    const ws = freshWorkspace();
    const read = await fetch(`${baseUrl()}/api/v1/workspaces/${ws}/changes`, {
      headers: { Origin: CORS_TEST_ORIGIN, Authorization: `Bearer ${token("alice", ws)}` },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get("access-control-expose-headers")).toContain("ETag");
  });

  it("serves dev-user tokens for the demo in local mode", async () => {
    const response = await fetch(`${baseUrl()}/demo/dev-users.json`);
    expect(response.status).toBe(200);
    const users = (await response.json()) as { user: string; workspace_id: string; token: string }[];
    expect(users.map((u) => u.user)).toEqual(["alice", "bob", "carol"]);
    const changes = await fetch(`${baseUrl()}/api/v1/workspaces/ws_demo/changes`, { headers: { Authorization: `Bearer ${users[0]!.token}` } });
    expect(changes.status).toBe(200);
  });
});
