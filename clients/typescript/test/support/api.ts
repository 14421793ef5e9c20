import { inject } from "vitest";
import { createDocsyncClient, type DocsyncClient, type DocsyncClientOptions } from "../../src/index.js";
import type { ChangePage, DocumentView } from "../../src/types.js";
import { mintToken } from "./tokens.js";

export const baseUrl = () => inject("baseUrl");
export const token = (user: string, workspace: string) => mintToken(inject("jwtSecret"), user, { [workspace]: "editor" });

const open: DocsyncClient[] = [];

export function client(user: string, workspace: string, overrides: Partial<DocsyncClientOptions> = {}): DocsyncClient {
  const made = createDocsyncClient({
    baseUrl: baseUrl(),
    token: token(user, workspace),
    workspaceId: workspace,
    databaseName: `docsync-${user}-${workspace}`,
    retry: { attempts: 6, baseDelayMs: 50, maxDelayMs: 500 },
    isOnline: () => true,
    ...overrides,
  });
  open.push(made);
  return made;
}

export async function closeClients(): Promise<void> {
  for (const c of open.splice(0)) await c.close();
}

/** Reads straight from the server, bypassing the client. */
export async function serverDocument(workspace: string, id: string): Promise<DocumentView & { status: number }> {
  const response = await fetch(`${baseUrl()}/api/v1/workspaces/${workspace}/documents/${id}`, {
    headers: { Authorization: `Bearer ${token("checker", workspace)}` },
  });
  return { ...((await response.json()) as DocumentView), status: response.status };
}

export async function serverHistory(workspace: string, id: string): Promise<{ version: number; operation: string }[]> {
  const response = await fetch(`${baseUrl()}/api/v1/workspaces/${workspace}/documents/${id}/history`, {
    headers: { Authorization: `Bearer ${token("checker", workspace)}` },
  });
  return ((await response.json()) as { items: { version: number; operation: string }[] }).items;
}

export async function serverChanges(workspace: string): Promise<ChangePage["items"]> {
  const response = await fetch(`${baseUrl()}/api/v1/workspaces/${workspace}/changes?limit=1000`, {
    headers: { Authorization: `Bearer ${token("checker", workspace)}` },
  });
  return ((await response.json()) as ChangePage).items;
}
