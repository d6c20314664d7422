/** The crypto kernel and the SDK's crypto module, bundled for a Chromium page. */
import { crypto } from '@lockbox/client';
import { runCryptoKernel } from './crypto-kernel';

(globalThis as unknown as Record<string, unknown>).runCryptoKernel = (
  opts: Parameters<typeof runCryptoKernel>[1],
) => runCryptoKernel(crypto, opts);
(globalThis as unknown as Record<string, unknown>).lockbox = { crypto };
