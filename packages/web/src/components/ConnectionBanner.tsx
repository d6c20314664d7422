/** Says so when the live connection is down, and that it comes back by itself. */
import { useChat } from '../state/use-chat';

export function ConnectionBanner() {
  const { connection, offline, loadError } = useChat();
  let text: string | undefined;
  if (offline) text = 'You are offline. LockBox reconnects by itself when the network is back.';
  else if (connection === 'reconnecting')
    text = 'Connection lost. Reconnecting… new messages will appear as soon as it is back.';
  else if (loadError) text = loadError;
  if (!text) return null;
  return (
    <div className="banner banner-warn" role="status">
      {text}
    </div>
  );
}
