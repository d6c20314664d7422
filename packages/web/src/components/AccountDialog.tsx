/**
 * The account panel: change the password, and optionally rotate the identity
 * keys at the same time (a fresh identity; old ones stay in the vault so
 * history still opens; contacts see a key change and should verify again).
 * The Devices panel (devices, the history archive) opens from here.
 */
import { PASSWORD_MIN } from '@lockbox/contracts';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { AccountActions } from '../lib/account';
import { useAction } from '../state/use-chat';
import { PasswordField } from './Field';
import { FormError } from './FormError';

export function AccountDialog(props: {
  account: AccountActions;
  onDevices: () => void;
  onClose: () => void;
}) {
  const { account, onDevices, onClose } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [rotateKeys, setRotateKeys] = useState(false);
  const [done, setDone] = useState<string | undefined>();
  const action = useAction();

  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!current || next.length < PASSWORD_MIN) {
      action.setError(`Enter your current password and a new one of at least ${PASSWORD_MIN} characters.`);
      return;
    }
    setDone(undefined);
    void action
      .run(() => account.changePassword(current, next, rotateKeys))
      .then((ok) => {
        if (!ok) return;
        setCurrent('');
        setNext('');
        setDone(
          rotateKeys
            ? 'Password changed and new identity keys published. Your contacts will see a key change: compare safety numbers with them again.'
            : 'Password changed. Your other sign-ins must sign in again.',
        );
      });
  };

  const passwordFields = [
    { label: 'Current password', autoComplete: 'current-password', value: current, onValue: setCurrent },
    { label: 'New password', autoComplete: 'new-password', value: next, onValue: setNext },
  ];

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="account-title" onClose={onClose}>
      <h2 id="account-title">Account</h2>
      <div className="account-devices">
        <p className="muted small">Where you are signed in, and whether new devices get your history.</p>
        <button type="button" className="secondary" onClick={onDevices}>
          Devices
        </button>
      </div>
      <form onSubmit={onSubmit} noValidate>
        {passwordFields.map((field) => (
          <PasswordField key={field.label} {...field} disabled={action.busy} />
        ))}
        <label className="check">
          <input
            type="checkbox"
            checked={rotateKeys}
            onChange={(e) => setRotateKeys(e.target.checked)}
            disabled={action.busy}
          />
          <span>Also rotate my identity keys</span>
        </label>
        {rotateKeys && (
          <p className="muted small">
            New keys are made and published; your old keys stay in your vault so your history still opens.
            Your contacts will see that your key changed and should compare safety numbers with you again.
          </p>
        )}
        <FormError error={action.error} />
        {done && (
          <p className="notice" role="status">
            {done}
          </p>
        )}
        <div className="dialog-actions">
          <button type="submit" className="primary" disabled={action.busy}>
            Change password
          </button>
          <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
            Close
          </button>
        </div>
      </form>
    </dialog>
  );
}
