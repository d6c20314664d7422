/**
 * The archive read once more, over HTTP against a real stack (testkit's: the
 * gateway in front of the auth service, a fresh Postgres database when
 * TEST_DATABASE_URL is set, PGlite otherwise): an account with a v2 key
 * bundle and one device whose signed list turns the archive on, the records
 * sealed for that account and appended through `POST /auth/archive` in
 * batches of 100, then fresh processes that read it all with
 * `HistoryArchive.readAll()` through `GET /auth/archive`. Network (loopback),
 * gateway, service and database are in this number; the stack shares the
 * machine's cores with the reader.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { deviceListSigningBytes, keyBundleSigningBytes, newId } from '@lockbox/contracts';
import { client, registerUser } from '@lockbox/testkit';
import { type MachineLoad, treeUsage, withMachineLoad } from '../lib/proc-stats';
import { stopAll } from '../lib/processes';
import { startBenchStack } from '../lib/stack';
import type {
  ArchiveReadOptions,
  ArchiveReadRun,
  ArchiveSealOptions,
  ArchiveSealResult,
} from './archive-kernel';
import { runBundle } from './v2-bundle';

export interface ArchiveHttpResult {
  engine: string;
  appendS: number;
  /** `stackCpuS`: CPU seconds of the gateway and the auth service during the read (Postgres is a shared server, not in it). */
  runs: { result: ArchiveReadRun; load: MachineLoad; stackCpuS: number }[];
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

const ed25519 = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32),
    sign: (bytes: Uint8Array) => sign(null, bytes, privateKey),
  };
};

const expectStatus = (what: string, res: { status: number; text: string }, status: number) => {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${res.text.slice(0, 200)}`);
};

export const measureArchiveHttp = async (
  bundle: string,
  workDir: string,
  o: { messages: number; runs: number; conversations: number; textBytes: number },
  progress: (m: string) => void,
): Promise<ArchiveHttpResult> => {
  const engine = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
  progress(`archive over HTTP: starting the gateway and the auth service on ${engine}…`);
  const stack = await startBenchStack({ engine, services: ['auth'], gatewayEnv: { RL_GATEWAY_PER_IP: '0' } });
  try {
    const api = client(stack.gatewayUrl);
    const user = await registerUser(api, 'arch');
    const identity = ed25519();
    const unsigned = {
      version: 2 as const,
      username: user.username.toLowerCase(),
      identity_key: b64(identity.publicKey),
      x25519_key: b64(randomBytes(32)),
      mlkem768_key: b64(randomBytes(1184)),
      created_at: new Date().toISOString(),
    };
    const signature = b64(identity.sign(keyBundleSigningBytes(user.id, unsigned)));
    expectStatus(
      'publish key bundle',
      await api.post('/auth/keys', { token: user.token, body: { ...unsigned, signature } }),
      201,
    );
    const deviceId = newId('device');
    const body = new TextEncoder().encode(
      JSON.stringify({
        v: 1,
        user_id: user.id,
        version: 1,
        archive: true,
        devices: [
          {
            device_id: deviceId,
            signature_key: b64(ed25519().publicKey),
            name: 'bench',
            added_at: new Date().toISOString(),
          },
        ],
      }),
    );
    const deviceList = { body: b64(body), signature: b64(identity.sign(deviceListSigningBytes(body))) };
    expectStatus(
      'register device',
      await api.post('/auth/devices', {
        token: user.token,
        body: { device_id: deviceId, device_list: deviceList },
      }),
      201,
    );

    const file = path.join(workDir, 'archive-http.json');
    const seal: ArchiveSealOptions = { mode: 'archive-seal', file, ...o, userId: user.id };
    progress(`archive over HTTP: sealing ${o.messages} records for the account and appending them…`);
    await runBundle<ArchiveSealResult>(bundle, seal);
    const rows = (JSON.parse(fs.readFileSync(file, 'utf8')) as { rows: [number, string, string][] }).rows;
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += 100) {
      const segments = rows.slice(i, i + 100).map(([, tag, blob]) => ({ tag, blob }));
      expectStatus(
        'archive.append',
        await api.post('/auth/archive', { token: user.token, body: { segments } }),
        201,
      );
    }
    const appendS = (performance.now() - t0) / 1000;

    const read: ArchiveReadOptions = {
      mode: 'archive-read',
      file,
      http: { url: stack.gatewayUrl, token: user.token },
    };
    const stackCpuS = () =>
      stack.processes.reduce((n, p) => n + (p.child?.pid ? treeUsage(p.child.pid).cpuS : 0), 0);
    const runs: ArchiveHttpResult['runs'] = [];
    for (let i = 0; i < o.runs; i++) {
      progress(`archive over HTTP: read ${i + 1}/${o.runs}…`);
      const before = stackCpuS();
      const [result, load] = await withMachineLoad(() => runBundle<ArchiveReadRun>(bundle, read));
      runs.push({ result, load, stackCpuS: stackCpuS() - before });
    }
    return { engine, appendS, runs };
  } finally {
    // The stack was adopted: stopAll stops it (and drops its database) now rather than at the bench's end.
    await stopAll();
  }
};
