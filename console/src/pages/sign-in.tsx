import { useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorBox, Field, valueOf } from '../components/ui';
import type { Session } from '../types';

/** Sign-in with an API key: the key goes to the server once and is never kept by the page. */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api<Session>('POST', '/console/session', { json: { apiKey: key.trim() } });
      setKey('');
      onSignedIn(session);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="sign-in">
      <form class="card" onSubmit={(event) => void submit(event)}>
        <h1>
          Herald <span class="muted">console</span>
        </h1>
        <p class="muted">Sign in with an API key. Its scopes decide what you see: ops for diagnosis and reports, admin for accounts and templates.</p>
        <Field label="API key">
          <input name="apiKey" type="password" autoComplete="off" required value={key} onInput={(event) => setKey(valueOf(event))} placeholder="hk_…" />
        </Field>
        <ErrorBox error={error} />
        <button type="submit" class="primary" disabled={busy || key.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="field-hint">The key is checked once; the console then holds an HttpOnly session cookie, never the key.</p>
      </form>
    </div>
  );
}
