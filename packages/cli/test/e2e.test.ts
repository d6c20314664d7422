/**
 * The "done when", end to end: two people with the real `lockbox`
 * binary (separate LOCKBOX_HOMEs) register, connect, compare safety numbers
 * and chat live through the gateway — across a realtime restart — then a
 * fresh LOCKBOX_HOME logs in and reads the whole history. Finally the test
 * searches the database (PGlite files or Postgres rows) and every log for the
 * plaintext, the request note (sealed end to end since issue 11), the
 * password and the derived login secret, and finds none of them; the
 * usernames are found, which proves the search looks in the right places.
 */
import { crypto } from '@lockbox/client';
import { enginesUnderTest, type Stack, startStack } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliUser, cliUser, json, listen, lockbox, ok, until } from './helpers/cli';
import { searchDatabase, searchFiles } from './helpers/search';

const stamp = Date.now().toString(36).slice(-6);

describe.each(enginesUnderTest())('two CLI users through the real stack (%s)', (engine) => {
  let stack: Stack;
  let alice: CliUser;
  let bob: CliUser;
  const aliceName = `alice_${stamp}_${engine.slice(0, 2)}`;
  const bobName = `bob_${stamp}_${engine.slice(0, 2)}`;
  const note = `request-note-${stamp}-sealed-to-bob`;
  const secrets = [
    `the eagle lands at midnight ${stamp}`,
    `reply: bring the blue umbrella ${stamp}`,
    `sent while realtime was down ${stamp}`,
    `after the restart ${stamp}`,
  ];

  beforeAll(async () => {
    stack = await startStack({ engine, services: ['auth', 'messages', 'realtime'] });
    alice = cliUser(stack.gatewayUrl, `Alice-pass-${stamp}-x9`);
    bob = cliUser(stack.gatewayUrl, `Bob-pass-${stamp}-q7`);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('registers both, connects them, and both see the same safety number', async () => {
    await ok(alice, 'register', aliceName);
    await ok(bob, 'register', bobName);
    await ok(alice, 'request', bobName, '--message', note);
    const requests = await json<{ incoming: Array<{ from_user: { username: string }; note: unknown }> }>(
      bob,
      'requests',
    );
    expect(requests.incoming.map((r) => r.from_user.username)).toEqual([aliceName]);
    expect(requests.incoming[0]?.note).toMatchObject({ status: 'sealed', text: note });
    expect(await ok(bob, 'requests')).toContain(`${aliceName}: "${note}"`);
    await ok(bob, 'accept', aliceName);
    expect((await json<Array<{ username: string }>>(alice, 'contacts')).map((c) => c.username)).toEqual([
      bobName,
    ]);

    const a = await json<{ safety_number: string; verified: boolean }>(alice, 'verify', bobName);
    const b = await json<{ safety_number: string }>(bob, 'verify', aliceName);
    expect(a.safety_number).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(a.safety_number).toBe(b.safety_number);
    expect(a.verified).toBe(false);
    expect((await json<{ verified: boolean }>(alice, 'verify', bobName, '--confirm')).verified).toBe(true);
  });

  it('chats live, and the listener resumes after the realtime service restarts', async () => {
    const bobListens = listen(bob);
    const aliceListens = listen(alice);
    try {
      // Both listeners start from "now": wait for their sockets before the first send.
      await until(() => expect(bobListens.states()).toContain('open'));
      await until(() => expect(aliceListens.states()).toContain('open'));
      await ok(alice, 'send', bobName, secrets[0] as string);
      await until(() => expect(bobListens.texts()).toContain(secrets[0]));
      await ok(bob, 'send', aliceName, secrets[1] as string);
      await until(() => expect(aliceListens.texts()).toContain(secrets[1]));

      const realtime = stack.get('realtime');
      await realtime.kill('SIGKILL');
      await ok(alice, 'send', bobName, secrets[2] as string);
      await realtime.start();
      await ok(alice, 'send', bobName, secrets[3] as string);
      await until(() => expect(bobListens.texts()).toEqual(expect.arrayContaining(secrets.slice(2))), 60_000);
      // Exactly once, in order.
      const seen = bobListens.texts().filter((t) => secrets.includes(t));
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.indexOf(secrets[2] as string)).toBeLessThan(seen.indexOf(secrets[3] as string));
    } finally {
      expect(await bobListens.stop()).toBe(0);
      await aliceListens.stop();
    }
  });

  it('a fresh LOCKBOX_HOME logs in with the password and reads the whole history', async () => {
    const laptop = cliUser(stack.gatewayUrl, alice.password);
    await ok(laptop, 'login', aliceName);
    const history = await json<Array<{ text?: string; from: string; error?: unknown }>>(
      laptop,
      'read',
      bobName,
    );
    expect(history.map((m) => m.text)).toEqual(secrets);
    expect(history.map((m) => m.from)).toEqual([aliceName, bobName, aliceName, aliceName]);
    expect(history.every((m) => m.error === undefined)).toBe(true);
    expect(await ok(laptop, 'read', bobName)).toContain(`${bobName} → ${aliceName}  ${secrets[1]}`);
    // The pin of Bob's key, and Alice's "verified" mark on it, came back from her vault.
    expect(await json<{ verified: boolean }>(laptop, 'verify', bobName)).toMatchObject({ verified: true });
    // `lockbox sessions` (GET /auth/sessions): Alice is now signed in twice, and each home knows which is its own.
    type Listed = { sessions: Array<{ id: string; current: boolean }> };
    const fromLaptop = (await json<Listed>(laptop, 'sessions')).sessions;
    const fromFirst = (await json<Listed>(alice, 'sessions')).sessions;
    expect(fromLaptop).toHaveLength(2);
    expect(fromFirst.map((x) => x.id)).toEqual(fromLaptop.map((x) => x.id));
    const laptopId = fromLaptop.find((x) => x.current)?.id;
    expect(fromFirst.find((x) => x.current)?.id).toBe(fromLaptop.find((x) => !x.current)?.id);
    expect(laptopId).toBeDefined();
    expect(await ok(laptop, 'sessions')).toContain(`* ${laptopId}`);
  });

  it('says clearly what went wrong: wrong password, unknown user, not a contact', async () => {
    const stranger = cliUser(stack.gatewayUrl, 'definitely-wrong-password');
    const wrong = await lockbox(stranger, '--json', 'login', aliceName);
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stderr.trim().split('\n').at(-1) as string).error.code).toBe('wrong_password');
    expect((await lockbox(stranger, 'login', aliceName)).stderr).toContain('wrong username or password');

    const carol = cliUser(stack.gatewayUrl, `Carol-pass-${stamp}`);
    await ok(carol, 'register', `carol_${stamp}_${engine.slice(0, 2)}`);
    expect((await lockbox(carol, 'send', aliceName, 'hi')).stderr).toContain(
      'you can only message your contacts',
    );
    expect((await lockbox(carol, 'send', `ghost_${stamp}`, 'hi')).stderr).toContain(
      `no user named "ghost_${stamp}"`,
    );
    const notSignedIn = await lockbox(cliUser(stack.gatewayUrl, 'x'), 'contacts');
    expect(notSignedIn.code).toBe(1);
    expect(notSignedIn.stderr).toContain('not signed in');
  });

  it('leaves no plaintext, password or login secret in the database, data files or logs', async () => {
    const prelogin = (await (
      await fetch(`${stack.gatewayUrl}/auth/prelogin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: aliceName }),
      })
    ).json()) as {
      salt: string;
      memory_kib: number;
      iterations: number;
      parallelism: number;
      version: 1 | 2;
    };
    const { loginSecret } = await crypto.deriveAccountKeys(
      alice.password,
      {
        algorithm: 'argon2id',
        salt: prelogin.salt,
        memory_kib: prelogin.memory_kib,
        iterations: prelogin.iterations,
        parallelism: prelogin.parallelism,
        version: prelogin.version,
      },
      undefined,
      aliceName,
    );
    const forbidden = [...secrets, 'eagle lands', note, alice.password, bob.password, loginSecret];
    const controls = [aliceName, bobName];

    const dbHits =
      engine === 'postgres' && stack.databaseUrl
        ? await searchDatabase(stack.databaseUrl, [...forbidden, ...controls])
        : undefined;
    await stack.stop(); // flushes PGlite and the logs
    const fileHits = searchFiles([stack.dataDir, stack.logDir], [...forbidden, ...controls]);

    for (const needle of forbidden) {
      expect(fileHits.get(needle), `"${needle}" in files`).toEqual([]);
      if (dbHits) expect(dbHits.get(needle), `"${needle}" in database rows`).toEqual([]);
    }
    // The search works: what the server is meant to know is found where it lives.
    const where = engine === 'postgres' ? dbHits : fileHits;
    for (const needle of controls)
      expect(where?.get(needle)?.length, `control "${needle}"`).toBeGreaterThan(0);
    // And the local homes keep keys, never the password.
    const homeHits = searchFiles([alice.home, bob.home], [alice.password, bob.password, ...secrets, note]);
    for (const [needle, files] of homeHits) expect(files, `"${needle}" in a LOCKBOX_HOME`).toEqual([]);
  });
});
