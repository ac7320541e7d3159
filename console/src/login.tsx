import { useState } from 'preact/hooks';
import { ApiError, api, describeError, session } from './api.js';

/** Paste the admin token; it is checked with one admin call and kept in sessionStorage only. */
export function Login({ onLoggedIn }: { onLoggedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    session.logIn(token.trim());
    try {
      await api('GET', '/agents');
      onLoggedIn();
    } catch (err) {
      session.logOut();
      setError(err instanceof ApiError && err.code === 'FORBIDDEN' ? 'This is an agent token: the console needs the admin token.' : describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <h1>AgentOS Comms console</h1>
      <form onSubmit={submit}>
        <label for="token">Admin token</label>
        <input id="token" name="token" type="password" autocomplete="off" required value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
        <p class="hint">The operator's admin token, or a customer admin token (aocc_…), which shows only that customer's agents. Kept in this tab only (session storage) and sent to this server's REST API.</p>
        <button type="submit" disabled={busy}>Log in</button>
        {error ? <p role="alert" class="error">{error}</p> : null}
      </form>
    </main>
  );
}
