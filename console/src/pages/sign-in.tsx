import { useState } from 'react';
import { ApiError, call } from '../api/client';
import type { Session } from '../api/types';

/** Paste a token once: the server exchanges it for a session cookie; the token is not kept here. */
export function SignInPage({ onSignedIn, notice }: { onSignedIn: (s: Session) => void; notice?: string | null }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const token = String(new FormData(form).get('token') ?? '').trim();
    if (!token)
      return setError(
        'Paste a token: the bootstrap token (OPSLEDGER_ADMIN_TOKEN, or on a new installation started without it the one in .data/secrets/bootstrap-admin.token) or one from `npm run tokens -- issue`.',
      );
    setBusy(true);
    setError(null);
    try {
      const { data } = await call<Session>('POST', '/api/session', { token });
      form.reset();
      onSignedIn(data);
    } catch (err) {
      setError(err instanceof ApiError ? (err.body?.message ?? err.message) : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <form onSubmit={submit} className="panel" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">opsledger console</h1>
        <p>
          Paste a bearer token to sign in. The console keeps a session cookie instead of the token; the session has the token's role and tenant. A new
          installation started without <code>OPSLEDGER_ADMIN_TOKEN</code> keeps its first admin token in <code>.data/secrets/bootstrap-admin.token</code>.
        </p>
        {notice && (
          <p className="note" role="status">
            {notice}
          </p>
        )}
        <label htmlFor="token">Token</label>
        <input id="token" name="token" type="password" autoComplete="off" spellCheck={false} autoFocus />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
