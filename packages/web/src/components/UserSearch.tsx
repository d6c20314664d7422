/**
 * Find people by username prefix and ask them to chat, with an optional note
 * (sealed end to end to them, like a message: the server only sees that a request exists).
 */
import type { FormEvent } from 'react';
import { useEffect, useState } from 'react';
import { describeError } from '../lib/errors';
import { chatHref } from '../lib/route';
import type { Person } from '../state/types';
import { useAction, useChat, useChatStore } from '../state/use-chat';
import { Avatar } from './Avatar';
import { FormError } from './FormError';

const NOTE_MAX = 280;

type Results =
  | { state: 'idle' }
  | { state: 'searching' }
  | { state: 'done'; people: Person[] }
  | { state: 'error'; error: string };

export function UserSearch() {
  const store = useChatStore();
  const { contacts } = useChat();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Results>({ state: 'idle' });
  const [selected, setSelected] = useState<string | undefined>();
  const [sentTo, setSentTo] = useState<string | undefined>();

  useEffect(() => {
    if (!sentTo) return;
    const timer = setTimeout(() => setSentTo(undefined), 8_000);
    return () => clearTimeout(timer);
  }, [sentTo]);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setResults({ state: 'idle' });
      return;
    }
    setResults({ state: 'searching' });
    let current = true;
    const timer = setTimeout(() => {
      store.search(q.slice(0, 32)).then(
        (people) => current && setResults({ state: 'done', people }),
        (err) => current && setResults({ state: 'error', error: describeError(err) }),
      );
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query, store]);

  return (
    <div className="search">
      <input
        type="search"
        aria-label="Search users"
        placeholder="Find people by username"
        autoCapitalize="none"
        spellCheck={false}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setSelected(undefined);
          setSentTo(undefined);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setQuery('');
        }}
      />
      {sentTo && !contacts.some((c) => c.username === sentTo) && (
        <p className="search-sent" role="status">
          Chat request sent to <strong>{sentTo}</strong>.
        </p>
      )}
      {results.state !== 'idle' && (
        <section className="search-results" aria-label="Search results">
          {results.state === 'searching' && <p className="muted pad">Searching…</p>}
          {results.state === 'error' && (
            <p className="form-error pad" role="alert">
              {results.error}
            </p>
          )}
          {results.state === 'done' && results.people.length === 0 && (
            <p className="muted pad">No one with a username starting “{query.trim()}”.</p>
          )}
          {results.state === 'done' && results.people.length > 0 && (
            <ul>
              {results.people.map((p) => (
                <SearchResult
                  key={p.id}
                  person={p}
                  open={selected === p.id}
                  onToggle={() => setSelected(selected === p.id ? undefined : p.id)}
                  onSent={() => {
                    setSentTo(p.username);
                    setQuery('');
                  }}
                />
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}

function SearchResult(props: { person: Person; open: boolean; onToggle: () => void; onSent: () => void }) {
  const { person, open, onToggle, onSent } = props;
  const store = useChatStore();
  const { contacts, outgoing, incoming, blocked } = useChat();
  const [note, setNote] = useState('');
  const { busy, error, run } = useAction();
  // The server decides which account a username is: a result that contradicts this device's
  // pins, or whose key signs another name, is shown as a warning and offers nothing to do.
  const [identityProblem, setIdentityProblem] = useState<string | undefined>();
  useEffect(() => {
    let current = true;
    store.identityProblem(person).then((p) => current && setIdentityProblem(p));
    return () => {
      current = false;
    };
  }, [store, person]);

  const contact = contacts.find((c) => c.id === person.id);
  const asked = outgoing.some((r) => r.to.id === person.id);
  const asking = incoming.some((r) => r.from.id === person.id);
  const isBlocked = blocked.some((b) => b.id === person.id);
  const relation = contact
    ? 'contact'
    : asked
      ? 'Request sent'
      : asking
        ? 'Wants to chat with you (see Requests)'
        : isBlocked
          ? 'Blocked'
          : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(() => store.requestChat(person.username, note))) onSent();
  };

  if (identityProblem)
    return (
      <li className="result">
        <p
          className="result-row form-error"
          role="alert"
          aria-label={`Identity warning for ${person.username}`}
        >
          ⚠ {identityProblem}
        </p>
      </li>
    );

  if (relation === 'contact')
    return (
      <li className="result">
        <a className="result-row" href={chatHref(person.id)}>
          <Avatar name={person.username} size={32} />
          <span className="result-name">{person.username}</span>
          <span className="muted small">Open chat</span>
        </a>
      </li>
    );

  return (
    <li className="result">
      <button
        type="button"
        className="result-row"
        aria-expanded={relation ? undefined : open}
        disabled={!!relation}
        onClick={onToggle}
      >
        <Avatar name={person.username} size={32} />
        <span className="result-name">{person.username}</span>
        <span className="muted small">{relation ?? (open ? '' : 'Ask to chat')}</span>
      </button>
      {open && !relation && (
        <form className="request-form" onSubmit={submit}>
          <label className="field compact">
            <span>Note (optional, end-to-end encrypted to them)</span>
            <textarea
              rows={2}
              maxLength={NOTE_MAX}
              value={note}
              placeholder={`Hi ${person.username}, it’s me from…`}
              onChange={(e) => setNote(e.target.value)}
            />
          </label>
          <FormError error={error} />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Sending…' : 'Send chat request'}
          </button>
        </form>
      )}
    </li>
  );
}
