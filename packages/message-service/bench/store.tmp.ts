import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, openDatabase, runMigrations } from '@lockbox/service-kit';
import { createTempDatabase } from '@lockbox/testkit';
import { storeMessage } from '../src/store/messages';
import { connect } from '../src/store/relationships';

const temp = await createTempDatabase(process.env.TEST_DATABASE_URL!);
const log = createLogger({
  service: 'b',
  logDir: fs.mkdtempSync(path.join(os.tmpdir(), 'b-')),
  level: 'silent',
  stdout: false,
});
const db = await openDatabase({
  service: 'messages',
  dataDir: process.argv[2] === 'pglite' ? fs.mkdtempSync(path.join(os.tmpdir(), 'bp-')) : '',
  url: process.argv[2] === 'pglite' ? undefined : temp.url,
  poolMax: 10,
  log,
});
await runMigrations(db, 'lockbox_messages', path.resolve('migrations'));
const pairs: Array<[string, string]> = [];
for (let i = 0; i < 10; i++) {
  const a = `usr_a${i}`,
    b = `usr_b${i}`;
  await db.transaction((tx) => connect(tx, a, b));
  pairs.push([a, b]);
}
const pct = (xs: number[], p: number) => xs.sort((a, b) => a - b)[Math.floor((p / 100) * xs.length)]!;
for (let round = 0; round < 2; round++) {
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    pairs.map(async ([a, b]) => {
      for (let i = 0; i < 100; i++) {
        const s = performance.now();
        await storeMessage(db, a, {
          recipient_id: b,
          client_msg_id: randomUUID(),
          encrypted_blob: randomBytes(256).toString('base64'),
          signature: randomBytes(64).toString('base64'),
        });
        lat.push(performance.now() - s);
      }
    }),
  );
  console.log(
    `${db.engine} store: ${(1000 / ((performance.now() - t0) / 1000)).toFixed(0)}/s p50 ${pct(lat, 50).toFixed(1)} p99 ${pct(lat, 99).toFixed(1)}`,
  );
}
// single statement timing
const s = performance.now();
for (let i = 0; i < 200; i++) await db.query('select 1');
console.log('select 1 avg ms', ((performance.now() - s) / 200).toFixed(2));
const s2 = performance.now();
for (let i = 0; i < 100; i++)
  await db.transaction(async (tx) => {
    await tx.query('select 1');
  });
console.log('empty tx avg ms', ((performance.now() - s2) / 100).toFixed(2));
const s3 = performance.now();
for (let i = 0; i < 100; i++)
  await db.transaction(async (tx) => {
    await tx.query('update lockbox_messages.user_cursors set last_cursor = last_cursor where user_id = $1', [
      'usr_a0',
    ]);
  });
console.log('1-update tx avg ms', ((performance.now() - s3) / 100).toFixed(2));
await db.close();
await temp.drop();
