/** The loud warning when a contact's identity key is not the one pinned on first contact. */
import type { KeyChangedEvent } from '@lockbox/client';

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
