import fs from 'node:fs';
import { startStack } from '@lockbox/testkit';

const stack = await startStack({ services: ['auth', 'messages', 'realtime'] });
fs.writeFileSync(
  '/tmp/lb-stack.json',
  JSON.stringify({ url: stack.gatewayUrl, dataDir: stack.dataDir, logDir: stack.logDir }),
);
process.stdout.write(`${stack.gatewayUrl}\n`);
process.on('SIGTERM', () => void stack.stop().then(() => process.exit(0)));
setInterval(() => {}, 1 << 30);
