import { useAction, useChat } from '../state/use-chat';
import { Avatar } from './Avatar';
import { Logo } from './Logo';

const STATUS: Record<string, string> = {
  open: 'Connected',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

export function TopBar({ onSignOut, onAccount }: { onSignOut: () => Promise<void>; onAccount: () => void }) {
  const { me, connection, offline } = useChat();
  const { busy, run } = useAction();
  const status = offline ? 'Offline' : (STATUS[connection] ?? connection);
  const tone = offline || connection === 'closed' ? 'bad' : connection === 'open' ? 'good' : 'wait';
  return (
    <header className="topbar">
      <div className="brand">
        <Logo size={26} />
        <span>LockBox</span>
      </div>
      <span className={`conn conn-${tone}`} title="Live connection">
        <span className="dot" aria-hidden="true" />
        {status}
      </span>
      <div className="me">
        <Avatar name={me.username} size={28} />
        <span className="me-name">{me.username}</span>
        <button type="button" className="ghost" onClick={onAccount}>
          Account
        </button>
        <button type="button" className="ghost" disabled={busy} onClick={() => void run(onSignOut)}>
          Sign out
        </button>
      </div>
    </header>
  );
}
