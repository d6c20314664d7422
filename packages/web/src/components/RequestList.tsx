/** Chat requests: incoming ones (accept, decline, block) and mine still waiting (cancel). */
import { chatHref } from '../lib/route';
import type { IncomingRequest, OutgoingRequest } from '../state/types';
import { useAction, useChat, useChatStore } from '../state/use-chat';
import { Avatar } from './Avatar';
import { RequestNoteView } from './RequestNoteView';

export function RequestList() {
  const { incoming, outgoing } = useChat();
  if (incoming.length === 0 && outgoing.length === 0) return null;
  return (
    <section className="list-section" aria-label="Chat requests">
      <h2 className="section-title">
        Requests {incoming.length > 0 && <span className="badge">{incoming.length}</span>}
      </h2>
      <ul className="requests">
        {incoming.map((r) => (
          <Incoming key={r.id} request={r} />
        ))}
        {outgoing.map((r) => (
          <Outgoing key={r.id} request={r} />
        ))}
      </ul>
    </section>
  );
}

function Incoming({ request }: { request: IncomingRequest }) {
  const store = useChatStore();
  const { busy, error, run } = useAction();
  const name = request.from.username;
  return (
    <li className="request" aria-label={`Chat request from ${name}`}>
      <div className="request-head">
        <Avatar name={name} size={32} />
        <div>
          <strong>{name}</strong> <span className="muted">wants to chat</span>
          <RequestNoteView note={request.note} />
        </div>
      </div>
      <div className="request-actions">
        <button
          type="button"
          className="primary small"
          disabled={busy}
          onClick={async () => {
            // Straight into the new conversation.
            if (await run(() => store.accept(request.id))) window.location.hash = chatHref(request.from.id);
          }}
        >
          Accept
        </button>
        <button
          type="button"
          className="secondary small"
          disabled={busy}
          onClick={() => void run(() => store.decline(request.id))}
        >
          Decline
        </button>
        <button
          type="button"
          className="ghost small danger"
          disabled={busy}
          aria-label={`Block ${name}`}
          onClick={() => {
            if (window.confirm(`Block ${name}? They won’t be able to send you requests or messages.`))
              void run(() => store.block(request.from.id));
          }}
        >
          Block
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

function Outgoing({ request }: { request: OutgoingRequest }) {
  const store = useChatStore();
  const { busy, error, run } = useAction();
  const name = request.to.username;
  return (
    <li className="request" aria-label={`Your request to ${name}`}>
      <div className="request-head">
        <Avatar name={name} size={32} />
        <div>
          <span className="muted">Waiting for</span> <strong>{name}</strong>
          <RequestNoteView note={request.note} />
        </div>
      </div>
      <div className="request-actions">
        <button
          type="button"
          className="ghost small"
          disabled={busy}
          aria-label={`Cancel request to ${name}`}
          onClick={() => void run(() => store.cancel(request.id))}
        >
          Cancel
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
