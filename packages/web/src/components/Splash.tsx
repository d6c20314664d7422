import { Logo } from './Logo';

/** A full-screen message while the app opens (or cannot). */
export function Splash({ text }: { text: string }) {
  return (
    <div className="splash">
      <Logo size={48} />
      <p role="status">{text}</p>
    </div>
  );
}
