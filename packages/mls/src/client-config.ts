import type { ClientConfig } from 'ts-mls';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import type { CertificateAuthenticationService } from './authentication';

/**
 * LockBox's ts-mls settings. Old-epoch receive keys are kept for one epoch only: the message
 * service orders a conversation's messages, so the one legitimate late arrival is a message sent
 * just before a commit the receiver has already applied; keeping more would keep more keys a
 * stolen state could use. Skipped-generation keys (out of order within an epoch) stay at the
 * ts-mls default; they are deleted once used.
 */
export const lockboxClientConfig = (authService: CertificateAuthenticationService): ClientConfig => ({
  ...defaultClientConfig,
  authService,
  keyRetentionConfig: { ...defaultClientConfig.keyRetentionConfig, retainKeysForEpochs: 1 },
});
