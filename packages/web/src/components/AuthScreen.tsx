/**
 * Sign in or create an account. The password never leaves the browser: it
 * derives the login secret and the key that opens the vault (argon2id, which
 * takes a second or two on purpose).
 */

import { type LockboxSession, NoVaultError, SessionError } from '@lockbox/client';
import { PASSWORD_MIN, USERNAME_PATTERN } from '@lockbox/contracts';
import { type FormEvent, useState } from 'react';
import { describeError } from '../lib/errors';
import { Field, PasswordField } from './Field';
import { FormError } from './FormError';
import { Logo } from './Logo';
import { ResetIdentityDialog } from './ResetIdentityDialog';

type Busy = 'signin' | 'register' | undefined;

export function AuthScreen(props: {
  session: LockboxSession;
  notice?: string | undefined;
  onSignedIn: (session: LockboxSession) => void;
}) {
  const { session, notice, onSignedIn } = props;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState<Busy>();
  const [error, setError] = useState<string | undefined>();
  /** The server changed the password-key parameters (not a downgrade): the person may accept it once. */
  const [kdfChanged, setKdfChanged] = useState(false);
  /** Set when the server said "no vault": the explicit reset is offered, never taken on its own. */
  const [noVault, setNoVault] = useState<NoVaultError | undefined>();
  const [resetOpen, setResetOpen] = useState(false);

  const attempt = async (kind: Exclude<Busy, undefined>, acceptKdfChange = false) => {
    const name = username.trim();
    if (!name || !password) {
      setError('Enter a username and a password.');
      return;
    }
    if (kind === 'register') {
      if (!USERNAME_PATTERN.test(name)) {
        setError('Usernames are 3–32 characters: letters, digits, “_”, “.” and “-”.');
        return;
      }
      if (password.length < PASSWORD_MIN) {
        setError(`Use a password of at least ${PASSWORD_MIN} characters.`);
        return;
      }
    }
    setBusy(kind);
    setError(undefined);
    setKdfChanged(false);
    setNoVault(undefined);
    try {
      if (kind === 'register') await session.account.register(name, password);
      else await session.account.login(name, password, { acceptKdfChange });
      setPassword('');
      onSignedIn(session);
    } catch (err) {
      setError(describeError(err));
      setKdfChanged(
        err instanceof SessionError && err.code === 'kdf_changed' && !/downgrade/.test(err.message),
      );
      if (err instanceof NoVaultError) setNoVault(err);
      setBusy(undefined);
    }
  };

  const resetIdentity = async () => {
    await session.account.resetIdentity(username.trim(), password);
    setPassword('');
    onSignedIn(session);
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy) void attempt('signin');
  };

  return (
    <main className="auth">
      <div className="auth-card">
        <div className="auth-brand">
          <Logo size={44} />
          <h1>LockBox</h1>
        </div>
        <p className="auth-lede">Private messages, end-to-end encrypted in your browser.</p>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <form onSubmit={onSubmit} noValidate>
          <Field
            label="Username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            value={username}
            onValue={setUsername}
            disabled={!!busy}
            required
          />
          <PasswordField
            label="Password"
            name="password"
            autoComplete="current-password"
            value={password}
            onValue={setPassword}
            disabled={!!busy}
            required
          />
          <FormError error={error} />
          {kdfChanged && !busy && (
            <button type="button" className="secondary" onClick={() => void attempt('signin', true)}>
              I changed my password on another device: sign in
            </button>
          )}
          {noVault && (
            <div className="auth-reset">
              <button type="button" className="secondary danger" onClick={() => setResetOpen(true)}>
                Reset identity
              </button>
            </div>
          )}
          <div className="auth-actions">
            <button type="submit" className="primary" disabled={!!busy}>
              Sign in
            </button>
            <button
              type="button"
              className="secondary"
              disabled={!!busy}
              onClick={() => void attempt('register')}
            >
              Create account
            </button>
          </div>
          {busy && (
            <p className="auth-progress" role="status">
              <span className="spinner" aria-hidden="true" />
              {busy === 'register' ? 'Creating your keys and vault…' : 'Unlocking your vault…'}
            </p>
          )}
        </form>
        {noVault && resetOpen && (
          <ResetIdentityDialog
            username={noVault.username}
            seenAt={noVault.seenAt}
            onReset={resetIdentity}
            onClose={() => setResetOpen(false)}
          />
        )}
        <p className="auth-note">
          Your password encrypts your keys before anything is sent, so nobody — not even the server — can
          reset it. Choose one you will remember.
        </p>
      </div>
    </main>
  );
}
