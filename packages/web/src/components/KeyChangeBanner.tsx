/** The loud warnings when a contact's identity key, or who a username belongs to, is not what was pinned. */
import type { IdentityChangedEvent, KeyChangedEvent } from '@lockbox/client';

export function KeyChangeBanner(props: {
  contactName: string;
  change: KeyChangedEvent;
  onReview: () => void;
}) {
  const { contactName, change, onReview } = props;
  return (
    <div className="banner banner-danger" role="alert">
      <div>
        <strong>{contactName}’s security key changed.</strong>{' '}
        {change.wasVerified ? 'You had verified their safety number. ' : ''}
        This happens when they reset their account — or when someone is trying to intercept your messages.
        Messages signed with the new key stay hidden until you compare safety numbers and accept it.
      </div>
      <button type="button" className="secondary small" onClick={onReview}>
        Review key
      </button>
    </div>
  );
}

/**
 * The louder warning when the server lists someone under a name that is not
 * theirs: the name is pinned to another account on this device, or this
 * account's own key signs another name. Nothing of theirs is shown meanwhile.
 */
export function IdentityChangeBanner(props: {
  contactName: string;
  change: IdentityChangedEvent;
  onReview: () => void;
}) {
  const { contactName, change, onReview } = props;
  const moved = change.reason === 'username_moved';
  return (
    <div className="banner banner-danger" role="alert" aria-label="Identity warning">
      <div>
        <strong>
          {moved
            ? `The server now lists “${contactName}” as a different account.`
            : `This account is not “${contactName}”: its key belongs to “${change.actualUsername}”.`}
        </strong>{' '}
        {change.wasVerified ? 'You had verified the one you knew. ' : ''}
        {moved
          ? 'This happens when they made a new account — or when someone is trying to pose as them. Their messages stay hidden until you compare safety numbers and accept.'
          : 'Someone is trying to pose as them. Nothing from this account is shown or sent.'}
      </div>
      {moved && (
        <button type="button" className="secondary small" onClick={onReview}>
          Review
        </button>
      )}
    </div>
  );
}
