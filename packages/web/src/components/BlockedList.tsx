/** People I blocked, to unblock. Hidden when there are none. */
import type { BlockedPerson } from '../state/types';
import { useAction, useChat, useChatStore } from '../state/use-chat';

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
      <button
        type="button"
        className="ghost small"
        disabled={busy}
        aria-label={`Unblock ${person.username}`}
        onClick={() => void run(() => store.unblock(person.id))}
      >
        Unblock
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
