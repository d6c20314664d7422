/** Chat requests: incoming ones (accept, decline, block) and mine still waiting (cancel). */
import type { RequestNote } from '@lockbox/client';
import type { ReactNode } from 'react';
import { chatHref } from '../lib/route';
import type { IncomingRequest, OutgoingRequest } from '../state/types';
import { useAction, useChat, useChatStore } from '../state/use-chat';
import { ActionButton } from './ActionButton';
import { Avatar } from './Avatar';
import { FormError } from './FormError';
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
  const name = request.from.username;
  return (
    <RequestItem label={`Chat request from ${name}`} name={name} after="wants to chat" note={request.note}>
      {({ busy, run }) => (
        <>
          <ActionButton
            kind="primary small"
            busy={busy}
            onClick={async () => {
              // Straight into the new conversation.
              if (await run(() => store.accept(request.id))) window.location.hash = chatHref(request.from.id);
            }}
          >
            Accept
          </ActionButton>
          <ActionButton
            kind="secondary small"
            busy={busy}
            onClick={() => void run(() => store.decline(request.id))}
          >
            Decline
          </ActionButton>
          <ActionButton
            kind="ghost small danger"
            busy={busy}
            label={`Block ${name}`}
            onClick={() => {
              if (window.confirm(`Block ${name}? They won’t be able to send you requests or messages.`))
                void run(() => store.block(request.from.id));
            }}
          >
            Block
          </ActionButton>
        </>
      )}
    </RequestItem>
  );
}

function Outgoing({ request }: { request: OutgoingRequest }) {
  const store = useChatStore();
  const name = request.to.username;
  return (
    <RequestItem label={`Your request to ${name}`} name={name} before="Waiting for" note={request.note}>
      {({ busy, run }) => (
        <ActionButton
          kind="ghost small"
          busy={busy}
          label={`Cancel request to ${name}`}
          onClick={() => void run(() => store.cancel(request.id))}
        >
          Cancel
        </ActionButton>
      )}
    </RequestItem>
  );
}

/** One request: who, their note, what can be done about it, and why that failed. */
function RequestItem(props: {
  label: string;
  name: string;
  /** Words around the name ("Waiting for" bob, bob "wants to chat"). */
  before?: string;
  after?: string;
  note: RequestNote | null;
  /** The buttons, given the busy flag and runner they share. */
  children: (action: ReturnType<typeof useAction>) => ReactNode;
}) {
  const action = useAction();
  return (
    <li className="request" aria-label={props.label}>
      <div className="request-head">
        <Avatar name={props.name} size={32} />
        <div>
          {props.before && <span className="muted">{props.before} </span>}
          <strong>{props.name}</strong>
          {props.after && <span className="muted"> {props.after}</span>}
          <RequestNoteView note={props.note} />
        </div>
      </div>
      <div className="request-actions">{props.children(action)}</div>
      <FormError error={action.error} />
    </li>
  );
}
