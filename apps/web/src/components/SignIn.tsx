// The sign-in screen of a server with authentication on: paste a token, kept for this tab only.
import { type FormEvent, useState } from 'react';

export function SignIn(props: { rejected: boolean; onSignIn: (token: string) => void }) {
  const [token, setToken] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = token.trim();
    if (value) props.onSignIn(value);
  };
  return (
    <main className="sign-in">
      <form className="sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to Querylane</h1>
        <p className="muted">
          This server asks for an access token. Paste the one your administrator gave you; it is
          kept in this tab only and forgotten when you close it.
        </p>
        <label className="field">
          <span>Access token</span>
          <input
            type="password"
            name="token"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(e) => setToken(e.currentTarget.value)}
            // biome-ignore lint/a11y/noAutofocus: the only thing to do on this screen
            autoFocus
          />
        </label>
        {props.rejected && (
          <p className="inline-error" role="alert" data-testid="sign-in-error">
            That token was not accepted, or it has expired.
          </p>
        )}
        <button type="submit" className="btn btn-primary" disabled={!token.trim()}>
          Sign in
        </button>
      </form>
    </main>
  );
}
