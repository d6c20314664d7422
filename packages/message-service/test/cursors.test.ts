/**
 * The no-gap property of cursors under concurrency, through the gateway, on
 * every engine: many senders write to one recipient (and the recipient writes
 * back, so locks are taken from both ends) while a reader pages through the
 * recipient's stream with `GET /messages?after=` as fast as it can. A reader
 * must never skip a message that commits later with a smaller cursor, so the
 * pages it collected must be exactly the final stream: no gap, no duplicate,
 * cursors strictly increasing.
 */
import { type Engine, enginesUnderTest, expectStatus, type TestUser } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  envelope,
  type MessagingStack,
  readStream,
  type SendAnswer,
  type StreamPage,
  send,
  startMessaging,
  type WireMessage,
} from './helpers/messaging';

const SENDERS = 8;
const PER_SENDER = 30;
const IN_FLIGHT_PER_SENDER = 3;
const REPLIES = 40;

/** Runs `count` jobs, `width` at a time. */
const pool = async <T>(count: number, width: number, job: (i: number) => Promise<T>): Promise<T[]> => {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await job(i);
      }
    }),
  );
  return out;
};

describe.each(enginesUnderTest())('cursors on %s', (engine: Engine) => {
  let m: MessagingStack;
  beforeAll(async () => {
    m = await startMessaging(engine);
  });
  afterAll(async () => {
    await m?.stack.stop();
  });

  it('a reader paging with ?after= during concurrent sends sees every message exactly once, in order', async () => {
    const recipient = await m.user('r');
    const senders: TestUser[] = [];
    for (let i = 0; i < SENDERS; i++) senders.push(await m.user('s'));
    for (const s of senders) await connect(m.api, s, recipient);

    let sending = true;
    const collected: WireMessage[] = [];
    const reader = (async () => {
      let after = '0';
      // Pages big enough to keep the reader at the head of the stream, where a skip would happen.
      // Keep paging while senders run, then until one page after they finished comes back short.
      for (;;) {
        const stillSending = sending;
        const page = expectStatus<StreamPage>(
          await m.api.get(`/messages?after=${after}&limit=50`, { token: recipient.token }),
          200,
        );
        collected.push(...page.messages);
        after = page.next_cursor;
        if (!stillSending && !page.has_more) return;
      }
    })();

    const sent = await Promise.all([
      ...senders.map((s) =>
        pool(PER_SENDER, IN_FLIGHT_PER_SENDER, () => send(m.api, s, envelope(recipient.id))),
      ),
      pool(REPLIES, 4, (i) => send(m.api, recipient, envelope((senders[i % SENDERS] as TestUser).id))),
    ]).finally(() => {
      sending = false;
    });
    await reader;

    const sentIds = sent.flat().map((a: SendAnswer) => a.message_id);
    const total = SENDERS * PER_SENDER + REPLIES;
    expect(new Set(sentIds).size).toBe(total);

    // No duplicates, strictly increasing cursors.
    const ids = collected.map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cursors = collected.map((x) => Number(x.cursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    // The union of the pages is the final stream, and the final stream is everything sent.
    const final = await readStream(m.api, recipient);
    expect(ids).toEqual(final.map((x) => x.id));
    expect(new Set(ids)).toEqual(new Set(sentIds));
    // Nothing failed, so nothing rolled back: the recipient's cursors are exactly 1..total.
    expect(cursors).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // Each conversation is numbered 1..n with no gap, in cursor order.
    const byConversation = new Map<string, number[]>();
    for (const msg of final)
      byConversation.set(msg.conversation_id, [...(byConversation.get(msg.conversation_id) ?? []), msg.seq]);
    for (const seqs of byConversation.values())
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  });
});
