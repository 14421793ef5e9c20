import { createDocsyncClient, type DocsyncClient } from "@docsync/client";
import { DocsyncProvider } from "@docsync/react";
import { useMemo, useRef, useState } from "react";
import { Login } from "./Login.js";
import type { Session } from "./session.js";
import { DocumentList, Editor, Toolbar, type ReadContent } from "./Workspace.js";

/** The API is on this page's origin (local mode serves the demo at /demo/); `?api=` points elsewhere (needs CORS). */
const apiBase = new URLSearchParams(window.location.search).get("api") ?? window.location.origin;

export function App() {
  const [session, setSession] = useState<Session | null>(() => {
    const saved = sessionStorage.getItem("docsync-demo-session");
    return saved ? (JSON.parse(saved) as Session) : null;
  });
  const [offline, setOffline] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const offlineRef = useRef(offline);
  offlineRef.current = offline;
  const tokenRef = useRef(session?.token ?? "");
  tokenRef.current = session?.token ?? "";

  // One client per user and workspace (its own IndexedDB database); the token is read on every request.
  const client: DocsyncClient | null = useMemo(() => session && createDocsyncClient({
    baseUrl: apiBase,
    token: () => tokenRef.current,
    workspaceId: session.workspaceId,
    databaseName: `docsync-demo-${session.user}-${session.workspaceId}`,
    isOnline: () => !offlineRef.current && navigator.onLine,
    // Stale edits are merged three-way on the server; what still collides is a conflict with its hunks.
    onConflict: "merge",
  }), [session?.user, session?.workspaceId]);
  const readContent: ReadContent = async (id, version) => {
    const response = await fetch(`${apiBase}/api/v1/workspaces/${encodeURIComponent(session!.workspaceId)}/documents/${encodeURIComponent(id)}?version=${version}`,
      { headers: { Authorization: `Bearer ${tokenRef.current}` } });
    return response.ok ? ((await response.json()) as { content: string }).content : undefined;
  };

  // A handle for the browser tests and for poking around in the console.
  (window as { docsync?: DocsyncClient | null }).docsync = client;

  const login = (s: Session) => {
    sessionStorage.setItem("docsync-demo-session", JSON.stringify(s));
    setSession(s);
  };
  const logout = (wipe: boolean) => {
    void (wipe ? client?.clear().then(() => client.close()) : client?.close());
    sessionStorage.removeItem("docsync-demo-session");
    setSession(null);
    setSelected(null);
  };

  return (
    <div className="app">
      <h1>docsync demo</h1>
      {!session || !client ? (
        <Login onLogin={login} />
      ) : (
        <DocsyncProvider client={client} autoSync={!offline}>
          <Toolbar offline={offline} setOffline={setOffline} user={session.user} workspaceId={session.workspaceId} onLogout={logout} />
          <main className="workspace">
            <DocumentList selected={selected} onSelect={setSelected} />
            {selected ? <Editor id={selected} onGone={() => setSelected(null)} readContent={readContent} /> : <section className="editor"><p>Select or create a document.</p></section>}
          </main>
        </DocsyncProvider>
      )}
    </div>
  );
}
