export interface DevUser {
  user: string;
  workspace_id: string;
  role: string;
  token: string;
}

export interface Session {
  user: string;
  workspaceId: string;
  token: string;
}

/** The token's subject, for display and to name the user's IndexedDB database (the server checks the token). */
export function subjectOf(token: string): string | undefined {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = atob(payload.replaceAll("-", "+").replaceAll("_", "/"));
    const claims = JSON.parse(json) as { sub?: string };
    return claims.sub;
  } catch {
    return undefined;
  }
}

/** Local mode serves ready tokens for a few dev users next to the demo (see docs/decisions.md). */
export async function loadDevUsers(): Promise<DevUser[]> {
  const response = await fetch(`${import.meta.env.BASE_URL}dev-users.json`);
  if (!response.ok) return [];
  return (await response.json()) as DevUser[];
}
