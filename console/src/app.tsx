import { QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { ApiError, call, get, onSignedOut, setCsrfToken } from './api/client';
import { LiveProvider, useLiveStatus } from './api/live';
import type { Role, Session } from './api/types';
import { useAt, withAt } from './at';
import { MaintenanceBanner, SessionError } from './components/maintenance-banner';
import { exact } from './format';
import { LANDING, PAGES } from './routes';
import { SessionContext } from './session';
import { SignInPage } from './pages/sign-in';

const ORDER: Role[] = ['viewer', 'operator', 'admin'];

/** Another identity must not see the previous one's cached answers. */
const dropData = (client: QueryClient) => client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });

function LiveIndicator() {
  const { status } = useLiveStatus();
  const text = status === 'live' ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Stream down: polling every 30 s';
  return (
    <span className={`live live-${status}`} role="status" aria-live="polite">
      <span className="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

function PastBanner() {
  const [at, setAt] = useAt();
  if (!at) return null;
  return (
    <div className="past-banner" role="region" aria-label="Viewing the past">
      <strong>Viewing the past:</strong> {exact(at)}. Pages that support it show that instant; live updates are paused.{' '}
      <button type="button" onClick={() => setAt(null)}>
        Back to live
      </button>
    </div>
  );
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const [location] = useLocation();
  const [at] = useAt();
  const [menu, setMenu] = useState(false);
  const pages = PAGES.filter((p) => ORDER.indexOf(session.role) >= ORDER.indexOf(p.role) && !(p.unscoped && session.tenant));
  const current = (path: string) => location === path || location.startsWith(`${path}/`);
  const tools = pages.filter((p) => p.group === 'toolbelt' && p.nav);
  const inToolbelt = tools.some((p) => current(p.path));
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">opsledger</span>
        <button type="button" className="menu-toggle secondary" aria-expanded={menu} aria-controls="nav" onClick={() => setMenu(!menu)}>
          Menu
        </button>
        <nav id="nav" aria-label="Pages" className={menu ? 'open' : ''}>
          {pages
            .filter((p) => p.nav && !p.group)
            .map((p) => (
              <Link key={p.path} href={withAt(p.path, at)} aria-current={current(p.path) ? 'page' : undefined} onClick={() => setMenu(false)}>
                {p.nav}
              </Link>
            ))}
          {tools.length > 0 && (
            <Link href={withAt(tools[0].path, at)} aria-current={inToolbelt ? 'page' : undefined} onClick={() => setMenu(false)}>
              Toolbelt
            </Link>
          )}
        </nav>
        <span className="who">
          <LiveIndicator />
          <span className="small">
            {session.name} · {session.role}
            {session.tenant ? ` · tenant ${session.tenant}` : ''}
          </span>
          <button type="button" className="secondary" onClick={onSignOut}>
            Sign out
          </button>
        </span>
      </header>
      <PastBanner />
      <MaintenanceBanner />
      <main id="main" tabIndex={-1}>
        {inToolbelt && (
          <nav aria-label="Toolbelt" className="subnav">
            {tools.map((p) => (
              <Link key={p.path} href={withAt(p.path, at)} aria-current={current(p.path) ? 'page' : undefined}>
                {p.nav}
              </Link>
            ))}
          </nav>
        )}
        <Switch>
          <Route path="/">
            <Redirect to={withAt(LANDING, at)} replace />
          </Route>
          {pages.map((p) => (
            <Route key={p.path} path={p.path} component={p.component} />
          ))}
          <Route>
            <h1>Page not found</h1>
            <p>
              <Link href="/">Back to the landing page</Link>
            </p>
          </Route>
        </Switch>
      </main>
    </>
  );
}

/** Signed in (a session cookie) or the sign-in page; the session's CSRF token goes on every write. */
export function App() {
  const client = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const session = useQuery({
    queryKey: ['session'],
    queryFn: async () => {
      try {
        return (await get<Session>('/api/session')).data;
      } catch (err) {
        if (err instanceof ApiError && (err.status === 401 || err.status === 404)) return null;
        throw err;
      }
    },
    retry: false,
    staleTime: Infinity,
  });
  const s = session.data ?? null;
  useEffect(() => setCsrfToken(s?.csrfToken ?? null), [s]);
  useEffect(
    () =>
      onSignedOut(() => {
        setNotice('Your session has ended: sign in again.');
        client.setQueryData(['session'], null);
      }),
    [client],
  );
  if (session.isPending) return <p className="muted center">Loading…</p>;
  if (session.error) return <SessionError error={session.error as Error} />;
  if (!s)
    return (
      <SignInPage
        notice={notice}
        onSignedIn={(next) => {
          setCsrfToken(next.csrfToken ?? null);
          dropData(client);
          client.setQueryData(['session'], next);
          setNotice(null);
        }}
      />
    );
  const signOut = async () => {
    await call('DELETE', '/api/session').catch(() => undefined);
    setCsrfToken(null);
    dropData(client);
    client.setQueryData(['session'], null);
    setNotice('Signed out.');
  };
  return (
    <SessionContext.Provider value={s}>
      <LiveProvider
        key={s.sessionId}
        onSessionEnded={() => {
          setNotice('Your session has ended: sign in again.');
          client.setQueryData(['session'], null);
        }}
      >
        <Shell session={s} onSignOut={() => void signOut()} />
      </LiveProvider>
    </SessionContext.Provider>
  );
}
