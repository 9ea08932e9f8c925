import { render } from 'preact';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, setCsrfToken, whenSessionEnds } from './api';
import { ErrorBox } from './components/ui';
import { AccountsPage } from './pages/accounts';
import { BillingPage } from './pages/billing';
import { CampaignsPage } from './pages/campaigns';
import { DiagnosePage } from './pages/diagnose';
import { MessagePage, MessagesPage } from './pages/messages';
import { SendPage } from './pages/send';
import { SignIn } from './pages/sign-in';
import { TemplatesPage } from './pages/templates';
import { SessionContext } from './session';
import type { Capability, Session } from './types';
import './styles.css';

export const BASE = '/console';

interface Section {
  path: string;
  label: string;
  needs: Capability[];
}

/** The sidebar: a section shows when the key may use any part of it. */
const SECTIONS: Section[] = [
  { path: `${BASE}/diagnose`, label: 'Diagnose', needs: ['diagnose'] },
  { path: `${BASE}/messages`, label: 'Messages & sends', needs: ['messages'] },
  { path: `${BASE}/accounts`, label: 'Vendor accounts', needs: ['accounts'] },
  { path: `${BASE}/templates`, label: 'Templates', needs: ['templates', 'templateSearch'] },
  { path: `${BASE}/billing`, label: 'Billing', needs: ['billing'] },
  { path: `${BASE}/campaigns`, label: 'Campaigns & audiences', needs: ['campaigns'] },
];

function visibleSections(session: Session): Section[] {
  return SECTIONS.filter((section) => section.needs.some((capability) => session.capabilities.includes(capability)));
}

function Home({ session }: { session: Session }) {
  const { route } = useLocation();
  const first = visibleSections(session)[0];
  useEffect(() => {
    if (first) route(first.path, true);
  }, [first, route]);
  return first ? null : <p class="empty">This API key has no scope the console uses (send, ops or admin).</p>;
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => Promise<void> }) {
  const { path } = useLocation();
  return (
    <div class="shell">
      <nav class="sidebar" aria-label="Sections">
        <div class="brand">
          Herald <span>console</span>
        </div>
        {visibleSections(session).map((section) => (
          <a key={section.path} href={section.path} class={path.startsWith(section.path) ? 'active' : ''}>
            {section.label}
          </a>
        ))}
        <div class="who">
          <div title={`key prefix ${session.apiKey.prefix}`}>{session.apiKey.name}</div>
          <div class="muted">
            team {session.team} · {session.scopes.join(', ')}
          </div>
          <button type="button" class="link" onClick={() => void onSignOut()}>
            Sign out
          </button>
        </div>
      </nav>
      <main class="main-area">
        <Router>
          <Route path={`${BASE}/diagnose`} component={DiagnosePage} />
          <Route path={`${BASE}/messages`} component={MessagesPage} />
          <Route path={`${BASE}/messages/:id`} component={MessagePage} />
          <Route path={`${BASE}/sends/:id`} component={SendPage} />
          <Route path={`${BASE}/accounts`} component={AccountsPage} />
          <Route path={`${BASE}/templates`} component={TemplatesPage} />
          <Route path={`${BASE}/billing`} component={BillingPage} />
          <Route path={`${BASE}/campaigns`} component={CampaignsPage} />
          <Route default component={() => <Home session={session} />} />
        </Router>
      </main>
    </div>
  );
}

function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(true);
  const [error, setError] = useState<unknown>(null);

  const signedIn = (next: Session | null) => {
    setCsrfToken(next?.csrfToken ?? null);
    setSession(next);
  };

  useEffect(() => {
    whenSessionEnds(() => signedIn(null));
    api<Session>('GET', '/console/session')
      .then(signedIn)
      .catch((caught: unknown) => {
        if (!(caught instanceof ApiError && caught.status === 401)) setError(caught);
      })
      .finally(() => setChecking(false));
  }, []);

  if (checking) return <p class="empty">Loading…</p>;
  if (!session) {
    return (
      <>
        <ErrorBox error={error} />
        <SignIn onSignedIn={signedIn} />
      </>
    );
  }
  const signOut = async () => {
    await api('DELETE', '/console/session');
    signedIn(null);
  };
  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} onSignOut={signOut} />
    </SessionContext.Provider>
  );
}

const root = document.getElementById('app');
if (root) {
  render(
    <LocationProvider>
      <App />
    </LocationProvider>,
    root,
  );
}
