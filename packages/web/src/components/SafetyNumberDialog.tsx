/**
 * The safety number both people compare (in person, or over a call): when it
 * matches, nobody swapped keys between them. Marking it verified makes a later
 * key change louder. After a key change (or the name moving to another
 * account) the NEW number is shown first, marked as not accepted, and only
 * then can the user accept exactly the key that number was computed over.
 */
import type { CandidateSafetyNumberInfo, SafetyNumberInfo } from '@lockbox/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../lib/errors';
import { useAction, useChat, useChatStore } from '../state/use-chat';
import { FormError } from './FormError';

function NumberGrid({ groups, label }: { groups: string[]; label: string }) {
  return (
    <ol className="safety-number" aria-label={label}>
      {groups.map((g, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the 12 groups are a fixed grid
        <li key={i}>{g}</li>
      ))}
    </ol>
  );
}

function LegacyNote({ info, name }: { info: SafetyNumberInfo; name: string }) {
  if (!info.legacyBundle) return null;
  return (
    <p className="muted" role="note">
      {name}’s keys are from an older version that does not sign their username; this is upgraded when they
      next sign in.
    </p>
  );
}

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
  const [candidate, setCandidate] = useState<CandidateSafetyNumberInfo | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const action = useAction();

  // After a change, the number over the NEW key comes first; nothing is pinned until "Accept".
  const [changeFirst, setChangeFirst] = useState(keyChanged);
  const load = useCallback(() => {
    setLoadError(undefined);
    store.safetyNumber(contactId).then(setInfo, (err) => {
      // The change surfaced only now (the dialog was opened from the header): show the new number.
      const code = (err as { code?: string }).code;
      if (code === 'key_changed' || code === 'identity_changed') setChangeFirst(true);
      else setLoadError(describeError(err));
    });
  }, [store, contactId]);

  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);

  useEffect(() => {
    if (!changeFirst) {
      load();
      return;
    }
    store.candidateSafetyNumber(contactId).then(
      (c) => (c.changed ? setCandidate(c) : setChangeFirst(false)),
      (err) => setLoadError(describeError(err)),
    );
  }, [changeFirst, load, store, contactId]);

  const isVerified = verified[contactId] ?? info?.verified ?? false;
  const pending = changeFirst && !info;

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="safety-title" onClose={onClose}>
      <h2 id="safety-title">Safety number with {contactName}</h2>
      {pending ? (
        <>
          <p>
            {contactName}’s security key is not the one you had before. Ask them — in person or on a call —
            whether they reset their account, and compare the <strong>new</strong> safety number below. Accept
            it only if it matches theirs.
          </p>
          <NumberLoading error={loadError} done={!!candidate} />
          {candidate && (
            <>
              <p className="banner banner-danger" role="status">
                New safety number — not accepted yet
              </p>
              <NumberGrid groups={candidate.groups} label="New safety number" />
              <LegacyNote info={candidate} name={contactName} />
            </>
          )}
          <FormError error={action.error} />
          <div className="dialog-actions">
            {candidate && (
              <button
                type="button"
                className="primary"
                disabled={action.busy}
                onClick={() =>
                  void action.run(async () => {
                    // Exactly the key whose number is on screen: a key swapped since is refused.
                    await store.acceptNewKey(contactId, candidate.identityKey);
                    load();
                  })
                }
              >
                Accept new key
              </button>
            )}
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
          <NumberLoading error={loadError} done={!!info} />
          {info && <NumberGrid groups={info.groups} label="Safety number" />}
          {info && <LegacyNote info={info} name={contactName} />}
          <FormError error={action.error} />
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

/** Why the number could not be computed, or that it is still being computed. */
function NumberLoading({ error, done }: { error: string | undefined; done: boolean }) {
  if (error) return <FormError error={error} />;
  if (done) return null;
  return (
    <p className="muted" role="status">
      <span className="spinner" aria-hidden="true" /> Computing…
    </p>
  );
}
