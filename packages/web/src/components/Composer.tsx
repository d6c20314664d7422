/** The message box: Enter sends, Shift+Enter starts a new line; typing hints go to the contact. */
import { crypto } from '@lockbox/client';
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useChatStore } from '../state/use-chat';

export function Composer({ contactId, contactName }: { contactId: string; contactName: string }) {
  const store = useChatStore();
  const [text, setText] = useState('');
  const input = useRef<HTMLTextAreaElement>(null);

  // A new conversation: start typing straight away (not on phones, where the keyboard would jump up).
  useEffect(() => {
    if (window.matchMedia('(min-width: 721px)').matches) input.current?.focus();
    setText('');
    return () => store.stopTyping(contactId);
  }, [contactId, store]);

  const send = () => {
    if (!text.trim()) return;
    void store.send(contactId, text);
    setText('');
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    send();
    input.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  return (
    <form className="composer" onSubmit={onSubmit}>
      <textarea
        ref={input}
        aria-label="Message"
        placeholder={`Message ${contactName}`}
        rows={1}
        maxLength={crypto.TEXT_MAX_CHARS}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value) store.noteTyping(contactId);
          else store.stopTyping(contactId);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => store.stopTyping(contactId)}
      />
      <button type="submit" className="primary" disabled={!text.trim()}>
        Send
      </button>
    </form>
  );
}
