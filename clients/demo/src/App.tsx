import { createDocsyncClient, type DocsyncClient } from "@docsync/client";
import { DocsyncProvider } from "@docsync/react";
import { useMemo, useRef, useState } from "react";
import { Login } from "./Login.js";
import type { Session } from "./session.js";
import { DocumentList, Editor, Toolbar } from "./Workspace.js";

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
  }), [session?.user, session?.workspaceId]);

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
            {selected ? <Editor id={selected} onGone={() => setSelected(null)} /> : <section className="editor"><p>Select or create a document.</p></section>}
          </main>
        </DocsyncProvider>
      )}
    </div>
  );
}
