import { useEffect, useState } from "react";
import { loadDevUsers, subjectOf, type DevUser, type Session } from "./session.js";

export function Login({ onLogin }: { onLogin: (session: Session) => void }) {
  const [devUsers, setDevUsers] = useState<DevUser[]>([]);
  const [token, setToken] = useState("");
  const [workspace, setWorkspace] = useState("ws_demo");
  const [problem, setProblem] = useState("");
  useEffect(() => {
    loadDevUsers().then(setDevUsers, () => setDevUsers([]));
  }, []);

  const loginWithToken = () => {
    const user = subjectOf(token.trim());
    if (!user) {
      setProblem("That is not a JWT.");
      return;
    }
    onLogin({ user, workspaceId: workspace.trim(), token: token.trim() });
  };

  return (
    <section className="login" data-testid="login">
      <h2>Log in</h2>
      {devUsers.length > 0 && (
        <div className="dev-users">
          <span>Dev user:</span>
          {devUsers.map((u) => (
            <button key={u.user} data-testid={`login-${u.user}`} onClick={() => onLogin({ user: u.user, workspaceId: u.workspace_id, token: u.token })}>
              {u.user} <small>({u.role} of {u.workspace_id})</small>
            </button>
          ))}
        </div>
      )}
      <label>
        Token <textarea data-testid="token-input" rows={3} value={token} onChange={(e) => setToken(e.target.value)} placeholder="eyJhbGciOiJIUzI1NiJ9..." />
      </label>
      <label>
        Workspace <input data-testid="workspace-input" value={workspace} onChange={(e) => setWorkspace(e.target.value)} />
      </label>
      <button data-testid="token-login" onClick={loginWithToken} disabled={!token.trim() || !workspace.trim()}>
        Log in with token
      </button>
      {problem && <p className="problem">{problem}</p>}
    </section>
  );
}
