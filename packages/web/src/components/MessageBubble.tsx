/**
 * One message. A message that failed to verify is shown as exactly that, with
 * the reason and never any of its content. The time is the sender's signed
 * one; when the server's differs by more than ten minutes the bubble says so.
 */
import { timeOf } from '../lib/format';
import type { ChatMessage } from '../state/types';

export function MessageBubble(props: {
  message: ChatMessage;
  read: boolean;
  showState: boolean;
  onRetry: () => void;
  onDiscard: () => void;
}) {
  const { message: m, read, showState, onRetry, onDiscard } = props;
  const side = m.outgoing ? 'out' : 'in';

  if (m.verifyError)
    return (
      <li className={`msg ${side} unverified`}>
        <div className="bubble">
          <strong>⚠ Message could not be verified</strong>
          <span className="small">{m.verifyError}. Its content is not shown.</span>
        </div>
        <span className="meta">{timeOf(m.at)}</span>
      </li>
    );

  const state =
    m.delivery === 'sending'
      ? 'Sending…'
      : m.delivery === 'failed'
        ? 'Not sent'
        : read
          ? 'Read'
          : m.outgoing
            ? 'Sent'
            : undefined;

  return (
    <li
      className={`msg ${side} ${m.delivery === 'failed' ? 'failed' : ''} ${m.delivery === 'sending' ? 'sending' : ''}`}
    >
      <div className="bubble">
        {m.text !== undefined ? (
          <p className="text">{m.text}</p>
        ) : (
          <p className="text muted">
            This message uses a newer format ({m.unsupported}); update LockBox to see it.
          </p>
        )}
      </div>
      <span className="meta">
        <time dateTime={m.at}>{timeOf(m.at)}</time>
        {m.serverTimeDiffers && (
          <span
            className="time-warning"
            role="note"
            title={`The server says ${new Date(m.serverTimeDiffers).toLocaleString()}; the time shown is the one the sender signed.`}
          >
            {' '}
            · ⚠ server time differs
          </span>
        )}
        {m.outgoing && showState && state && (
          <span className={`state state-${m.delivery === 'failed' ? 'failed' : read ? 'read' : 'sent'}`}>
            {' '}
            · {state}
          </span>
        )}
      </span>
      {m.delivery === 'failed' && (
        <span className="failed-actions">
          <span className="form-error small">{m.sendError}</span>
          <button type="button" className="ghost small" onClick={onRetry}>
            Retry
          </button>
          <button type="button" className="ghost small" onClick={onDiscard}>
            Discard
          </button>
        </span>
      )}
    </li>
  );
}
