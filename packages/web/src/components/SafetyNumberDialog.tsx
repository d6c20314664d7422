/**
 * The safety number both people compare (in person, or over a call): when it
 * matches, nobody swapped keys between them. Marking it verified makes a later
 * key change louder. After a key change, the new key is accepted here first.
 */
import type { SafetyNumberInfo } from '@lockbox/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../lib/errors';
import { useAction, useChat, useChatStore } from '../state/use-chat';

export function SafetyNumberDialog(props: {
  contactId: string;
  contactName: string;
  keyChanged: boolean;
  onClose: () => void;
}) {
  const { contactId, contactName, keyChanged, onClose } = props;
  const store = useChatStore();
  const { verified } = useChat();
  const dialog = useRef<HTMLDialogElement>(null);
  const [info, setInfo] = useState<SafetyNumberInfo | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const action = useAction();

  const load = useCallback(() => {
    setLoadError(undefined);
    store.safetyNumber(contactId).then(setInfo, (err) => setLoadError(describeError(err)));
  }, [store, contactId]);

  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);

  // After a key change the number is computed only once the new key is accepted.
  const [openedOnKeyChange] = useState(keyChanged);
  useEffect(() => {
    if (!openedOnKeyChange) load();
  }, [openedOnKeyChange, load]);

  const isVerified = verified[contactId] ?? info?.verified ?? false;

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="safety-title" onClose={onClose}>
      <h2 id="safety-title">Safety number with {contactName}</h2>
      {keyChanged && !info ? (
        <>
          <p>
            {contactName}’s security key is not the one you had before. Ask them — in person or on a call —
            whether they reset their account. Accept the new key only if they did; then compare the new safety
            number.
          </p>
          {action.error && (
            <p className="form-error" role="alert">
              {action.error}
            </p>
          )}
          <div className="dialog-actions">
            <button
              type="button"
              className="primary"
              disabled={action.busy}
              onClick={() =>
                void action.run(async () => {
                  await store.acceptNewKey(contactId);
                  load();
                })
              }
            >
              Accept new key
            </button>
            <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
              Not now
            </button>
          </div>
        </>
      ) : (
        <>
          <p>
            Compare these numbers with the ones on {contactName}’s screen. If they match, your messages are
            encrypted for the right person and nobody is in between.
          </p>
          {loadError && (
            <p className="form-error" role="alert">
              {loadError}
            </p>
          )}
          {!info && !loadError && (
            <p className="muted" role="status">
              <span className="spinner" aria-hidden="true" /> Computing…
            </p>
          )}
          {info && (
            <ol className="safety-number" aria-label="Safety number">
              {info.groups.map((g, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the 12 groups are a fixed grid
                <li key={i}>{g}</li>
              ))}
            </ol>
          )}
          {action.error && (
            <p className="form-error" role="alert">
              {action.error}
            </p>
          )}
          <div className="dialog-actions">
            {info &&
              (isVerified ? (
                <span className="verified big">✓ Verified</span>
              ) : (
                <button
                  type="button"
                  className="primary"
                  disabled={action.busy}
                  onClick={() => void action.run(() => store.markVerified(contactId))}
                >
                  Mark as verified
                </button>
              ))}
            <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
              Close
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}
