/** People I blocked, to unblock. Hidden when there are none. */
import type { BlockedPerson } from '../state/types';
import { useAction, useChat, useChatStore } from '../state/use-chat';
import { ActionButton } from './ActionButton';
import { FormError } from './FormError';

export function BlockedList() {
  const { blocked } = useChat();
  if (blocked.length === 0) return null;
  return (
    <details className="list-section blocked">
      <summary className="section-title">Blocked ({blocked.length})</summary>
      <ul>
        {blocked.map((b) => (
          <BlockedItem key={b.id} person={b} />
        ))}
      </ul>
    </details>
  );
}

function BlockedItem({ person }: { person: BlockedPerson }) {
  const store = useChatStore();
  const { busy, error, run } = useAction();
  return (
    <li className="blocked-item">
      <span>{person.username}</span>
      <ActionButton
        kind="ghost small"
        busy={busy}
        label={`Unblock ${person.username}`}
        onClick={() => void run(() => store.unblock(person.id))}
      >
        Unblock
      </ActionButton>
      <FormError error={error} />
    </li>
  );
}
