/**
 * The only way the web app makes new identity keys for an existing account:
 * offered when the server says the account has no key vault, behind a
 * warning. A hostile server saying "no vault" must never get new keys
 * silently; a person who really lost the vault can choose them here.
 */
import { useEffect, useRef } from 'react';
import { useAction } from '../state/use-chat';
import { FormError } from './FormError';

export function ResetIdentityDialog(props: {
  username: string;
  /** When this browser last saw a vault for the account (the server may be lying). */
  seenAt?: string | undefined;
  onReset: () => Promise<void>;
  onClose: () => void;
}) {
  const { username, seenAt, onReset, onClose } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const action = useAction();

  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="reset-title" onClose={onClose}>
      <h2 id="reset-title">Reset identity of {username}?</h2>
      {seenAt && (
        <p className="form-error">
          This browser saw a key vault for this account on {seenAt.slice(0, 10)}. If the server now says there
          is none, it may be lying — resetting would abandon your keys.
        </p>
      )}
      <p>
        This makes <strong>new identity keys</strong>. Your contacts will see that your key changed and should
        compare safety numbers with you again. Old messages stay readable only with the old keys: they are
        kept if your vault still opens, and lost if it is really gone.
      </p>
      <FormError error={action.error} />
      <div className="dialog-actions">
        <button
          type="button"
          className="primary danger"
          disabled={action.busy}
          onClick={() => void action.run(onReset)}
        >
          Reset identity
        </button>
        <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
