/** The JSON body reader: 413 (declared and streamed), 415, bad UTF-8, bad JSON, prototype keys, deep nesting. */
import http from 'node:http';
import { client, eventually } from '@lockbox/testkit';
import { describe, expect, it } from 'vitest';
import { parseJsonBody, parseJsonText } from '../src/http/body';
import { startToyService, useToyService } from './helpers/toy-service';

const LIMIT = 4096;
const served = useToyService({ bodyLimit: LIMIT });

type ErrorJson = { error: { code: string; message: string; request_id: string } };
const json = { 'content-type': 'application/json' };

/** A raw POST /echo on node:http (for bodies the test client cannot send: streamed, cut short). */
const postToEcho = (headers: http.OutgoingHttpHeaders) => {
  const url = new URL('/echo', served.toy.url);
  return http.request({ host: url.hostname, port: url.port, path: '/echo', method: 'POST', headers });
};

const expectAlive = async () => {
  const res = await served.api.post('/echo', { body: { still: 'alive' } });
  expect(res.status).toBe(200);
  expect(res.json).toEqual({ still: 'alive' });
};

/** Streams `total` bytes in chunks with no Content-Length (chunked) and resolves with the answer. */
const streamBody = (total: number) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = postToEcho(json);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    // The server may close while we still write; that is the point.
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(err)));
    let sent = 0;
    const chunk = Buffer.alloc(1024, 'a');
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    req.write('{"a":"');
    pump();
  });

describe('body size', () => {
  it('refuses a declared Content-Length over the limit with 413 before reading', async () => {
    const res = await served.api.post<ErrorJson>('/echo', {
      body: Buffer.alloc(LIMIT + 1, ' '),
      headers: json,
    });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('payload_too_large');
    expect(res.headers.connection).toBe('close');
    await expectAlive();
  });

  it('refuses a chunked body that grows past the limit with 413', async () => {
    const res = await streamBody(LIMIT * 4);
    expect(res.status).toBe(413);
    expect((JSON.parse(res.body) as ErrorJson).error.code).toBe('payload_too_large');
    await expectAlive();
  });

  it('accepts a body right at the limit', async () => {
    const value = 'x'.repeat(LIMIT - '{"a":""}'.length);
    const res = await served.api.post('/echo', { body: JSON.stringify({ a: value }), headers: json });
    expect(res.status).toBe(200);
  });
});

describe('aborted uploads', () => {
  it('a client that hangs up mid-body leaves no request hanging in the server', async () => {
    const before = served.toy.observed.length;
    await new Promise<void>((resolve) => {
      const req = postToEcho({ ...json, 'content-length': '1000' });
      req.on('error', () => resolve());
      req.write('{"a":"only part of it', () => setTimeout(() => req.destroy(), 50));
    });
    await eventually(async () => (served.toy.observed.length > before ? true : undefined), 5_000, 50);
    await expectAlive();
  });
});

describe('content type', () => {
  it.each([
    ['text/plain', 415],
    ['application/x-www-form-urlencoded', 415],
    ['application/json; charset=latin1', 415],
    ['application/jsonx', 415],
    ['application/json', 200],
    ['Application/JSON; charset=UTF-8', 200],
  ])('%s → %i', async (type, status) => {
    const res = await served.api.post<ErrorJson>('/echo', {
      body: '{"a":1}',
      headers: { 'content-type': type },
    });
    expect(res.status).toBe(status);
    if (status === 415) expect(res.json.error.code).toBe('unsupported_media_type');
  });

  it('refuses a JSON body sent without a Content-Type (415)', async () => {
    const res = await served.api.post<ErrorJson>('/echo', { body: '{"a":1}' });
    expect(res.status).toBe(415);
  });

  it('treats an empty body as no input', async () => {
    const res = await served.api.post('/echo', { body: '' });
    expect(res.status).toBe(200);
    expect(res.json).toBeNull();
  });
});

describe('malformed JSON', () => {
  it('refuses invalid UTF-8 with 400', async () => {
    const body = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    const res = await served.api.post<ErrorJson>('/echo', { body, headers: json });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_json');
    expect(res.json.error.message).toMatch(/UTF-8/);
  });

  it.each(['{"a": [1, 2', '{"a":', '{', '{"a":1}}', 'nul', "{'a':1}", '{"a":1,}'])(
    'refuses %j with 400 invalid_json',
    async (body) => {
      const res = await served.api.post<ErrorJson>('/echo', { body, headers: json });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_json');
      expect(res.json.error.request_id).toBeTruthy();
    },
  );

  it('refuses malformed tRPC query input with 400', async () => {
    const res = await served.api.get<{ error: { data: { app_code: string; httpStatus: number } } }>(
      `/trpc/context?input=${encodeURIComponent('{"a":')}`,
    );
    expect(res.status).toBe(400);
    expect(res.json.error.data.app_code).toBe('invalid_json');
  });
});

describe('prototype keys', () => {
  const attacks = [
    '{"__proto__": {"polluted": "yes"}}',
    '{"a": {"__proto__": {"polluted": "yes"}}}',
    '{"constructor": {"prototype": {"polluted": "yes"}}}',
    '{"a": [{"b": {"prototype": {"polluted": "yes"}}}]}',
    // The same keys spelt with JSON escapes parse to the same property names.
    '{"\\u005f_proto__": {"polluted": "yes"}}',
    '{"a": {"\\u0063onstructor": {"prototype": {"polluted": "yes"}}}}',
    '{"__proto__"\n  :{"polluted": "yes"}}',
  ];

  it.each(attacks)('refuses %s with 400 and leaves Object.prototype alone', async (body) => {
    const res = await served.api.post<ErrorJson>('/echo', { body, headers: json });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_input');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('refuses them in tRPC query input too', async () => {
    const input = encodeURIComponent('{"__proto__": {"polluted": "yes"}}');
    const res = await served.api.get(`/trpc/context?input=${input}`);
    expect(res.status).toBe(400);
  });

  it('allows those words inside string values', async () => {
    const body = { note: 'the "constructor": is a word', other: '"__proto__": too' };
    const res = await served.api.post('/echo', { body });
    expect(res.status).toBe(200);
    expect(res.json).toEqual(body);
  });
});

describe('deep nesting', () => {
  const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  const deepArray = (n: number) => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`;

  it.each([
    ['objects', deepObject(10_000)],
    ['arrays', deepArray(10_000)],
  ])('refuses 10,000 nested %s with 400 and stays up', async (_kind, body) => {
    const big = await startToyService({ bodyLimit: 1024 * 1024 });
    try {
      const res = await client(big.url).post<ErrorJson>('/echo', { body, headers: json });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_input');
      expect(res.json.error.message).toMatch(/nest/);
    } finally {
      await big.close();
    }
    await expectAlive();
  });

  it('allows ordinary nesting', async () => {
    const res = await served.api.post('/echo', { body: deepObject(20), headers: json });
    expect(res.status).toBe(200);
  });
});

describe('parser functions', () => {
  it('parseJsonBody: empty is undefined, JSON needs its content type', () => {
    expect(parseJsonBody(Buffer.alloc(0), undefined)).toBeUndefined();
    expect(parseJsonBody(Buffer.from('{"a":[1]}'), 'application/json')).toEqual({ a: [1] });
    expect(() => parseJsonBody(Buffer.from('{}'), 'text/json')).toThrow(/Content-Type/);
  });

  it('parseJsonText: scalars and arrays pass, prototype keys anywhere do not', () => {
    expect(parseJsonText('"x"')).toBe('x');
    expect(parseJsonText('[1,{"b":null}]')).toEqual([1, { b: null }]);
    expect(() => parseJsonText('[{"ok":1},{"constructor":1}]')).toThrow(/not allowed/);
  });
});
