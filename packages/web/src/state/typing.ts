/**
 * Typing hints both ways: the contact's (shown until they stop, or for a
 * while without a follow-up) and mine (sent throttled, "stopped" after a pause).
 */
import type { ChatBackend } from '../lib/backend';
import type { LocalStore } from './local-state';

/** A typing hint without a follow-up is dropped after this long. */
const TYPING_SHOWN_MS = 6_000;
/** Re-send "typing" at most this often while keys are being pressed. */
const TYPING_RESEND_MS = 3_000;
/** Send "stopped typing" after this long without a key. */
const TYPING_IDLE_MS = 4_000;

export class TypingHints {
  readonly #local: LocalStore;
  readonly #backend: ChatBackend;
  readonly #theirs = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #mine = new Map<string, { sentAt: number; idle: ReturnType<typeof setTimeout> }>();

  constructor(local: LocalStore, backend: ChatBackend) {
    this.#local = local;
    this.#backend = backend;
  }

  /** The contact is (or stopped) typing. */
  arrived(from: string, typing: boolean): void {
    clearTimeout(this.#theirs.get(from));
    this.#show(from, typing);
    if (typing)
      this.#theirs.set(
        from,
        setTimeout(() => this.#show(from, false), TYPING_SHOWN_MS),
      );
  }

  #show(from: string, typing: boolean) {
    this.#local.update((s) => ({ ...s, typing: { ...s.typing, [from]: typing } }));
  }

  /** The user pressed a key in the composer: tell the contact (throttled), and stop after a pause. */
  noteMine(contactId: string): void {
    const now = Date.now();
    const mine = this.#mine.get(contactId);
    if (mine) clearTimeout(mine.idle);
    const due = !mine || now - mine.sentAt > TYPING_RESEND_MS;
    const sentAt = due && this.#backend.typing(contactId, true) ? now : (mine?.sentAt ?? 0);
    this.#mine.set(contactId, {
      sentAt,
      idle: setTimeout(() => this.stopMine(contactId), TYPING_IDLE_MS),
    });
  }

  stopMine(contactId: string): void {
    const mine = this.#mine.get(contactId);
    if (!mine) return;
    clearTimeout(mine.idle);
    this.#mine.delete(contactId);
    if (mine.sentAt > 0) this.#backend.typing(contactId, false);
  }

  stop(): void {
    for (const t of this.#theirs.values()) clearTimeout(t);
    for (const t of this.#mine.values()) clearTimeout(t.idle);
  }
}
