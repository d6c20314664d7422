/** Whatever a client sends, it gets an error frame or a clean close, and the handler never throws. */
import { WS_CLOSE } from '@lockbox/contracts';
import { describe, expect, it } from 'vitest';
import { createClientFrameHandler } from '../../src/socket/client-frames';
import { Connection } from '../../src/socket/connection';
import { FakeSocket, FakeStream, sharedFor, until } from '../helpers/fakes';

const CONTACT = 'usr_0000000000000000000000000b';
const STRANGER = 'usr_0000000000000000000000000c';

const setup = (overrides = {}) => {
  const stream = new FakeStream();
  const socket = new FakeSocket();
  const conn = new Connection(socket.asWs(), stream.userId, 'ses_x', sharedFor(stream, overrides));
  const relayed: Array<{ to: string; typing: boolean }> = [];
  const onFrame = createClientFrameHandler({
    typing: async (_c, to, typing) => {
      if (to !== CONTACT) return false;
      relayed.push({ to, typing });
      return true;
    },
  });
  const sendText = (text: string) => onFrame(conn, Buffer.from(text), false);
  return { stream, socket, conn, onFrame, sendText, relayed };
};

describe('client frames', () => {
  it('ping → pong with the nonce echoed', () => {
    const { socket, sendText } = setup();
    sendText(JSON.stringify({ type: 'ping', data: { nonce: 'n1' } }));
    sendText(JSON.stringify({ type: 'ping' }));
    expect(socket.frames()).toEqual([
      { type: 'pong', data: { nonce: 'n1', server_time: expect.any(Number) } },
      { type: 'pong', data: { server_time: expect.any(Number) } },
    ]);
  });

  it.each([
    ['not JSON', 'hello', 'invalid_json'],
    ['truncated JSON', '{"type":"ping"', 'invalid_json'],
    ['unknown type', '{"type":"broadcast","data":{}}', 'invalid_frame'],
    ['no type', '{"data":{}}', 'invalid_frame'],
    ['JSON null', 'null', 'invalid_frame'],
    ['an array', '[1,2]', 'invalid_frame'],
    ['prototype keys', '{"type":"__proto__","data":{}}', 'invalid_frame'],
    ['typing without to', '{"type":"typing","data":{}}', 'invalid_frame'],
    ['typing to a non-id', '{"type":"typing","data":{"to":"../etc"}}', 'invalid_frame'],
    ['resume with a bad cursor', '{"type":"resume","data":{"after":"-1"}}', 'invalid_frame'],
    ['unknown keys', '{"type":"ping","data":{},"extra":1}', 'invalid_frame'],
  ])('%s → an error frame, socket stays open', (_name, text, code) => {
    const { socket, sendText } = setup();
    sendText(text);
    expect(socket.frames()).toEqual([{ type: 'error', data: { code, message: expect.any(String) } }]);
    expect(socket.closedWith).toBeUndefined();
  });

  it('binary frames are refused', () => {
    const { socket, conn, onFrame } = setup();
    onFrame(conn, Buffer.from([1, 2, 3]), true);
    expect(socket.frames()[0]?.data.code).toBe('invalid_frame');
  });

  it('repeated abuse closes the socket with 1008', () => {
    const { socket, sendText } = setup({ abuseLimit: 3 });
    for (let i = 0; i < 4; i++) sendText('nope');
    expect(socket.closedWith?.code).toBe(WS_CLOSE.policyViolation);
  });

  it('a frame flood gets rate_limited errors, then a 1008 close', () => {
    const { socket, sendText } = setup({ framesPerSecond: 5, abuseLimit: 3 });
    for (let i = 0; i < 30; i++) sendText(JSON.stringify({ type: 'ping' }));
    const codes = socket.frames().map((f) => (f.type === 'error' ? f.data.code : f.type));
    expect(codes.filter((c) => c === 'pong')).toHaveLength(10); // the burst allowance
    expect(codes).toContain('rate_limited');
    expect(socket.closedWith?.code).toBe(WS_CLOSE.policyViolation);
  });

  it('typing is relayed to contacts, refused for anyone else', async () => {
    const { socket, sendText, relayed } = setup();
    sendText(JSON.stringify({ type: 'typing', data: { to: CONTACT } }));
    sendText(JSON.stringify({ type: 'typing', data: { to: STRANGER, typing: false } }));
    await until(() => socket.frames().length === 1);
    expect(relayed).toEqual([{ to: CONTACT, typing: true }]);
    expect(socket.frames()).toEqual([
      { type: 'error', data: { code: 'forbidden', message: expect.any(String) } },
    ]);
  });

  it('resume frames start a replay', async () => {
    const { socket, sendText, stream } = setup();
    stream.commit();
    stream.commit();
    sendText(JSON.stringify({ type: 'resume', data: { after: '1' } }));
    await until(() => socket.frames().some((f) => f.type === 'resumed'));
    expect(socket.cursors()).toEqual(['2']);
  });
});
