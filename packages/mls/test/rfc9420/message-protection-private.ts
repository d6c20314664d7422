/** Private-message halves of the message-protection vectors (ported from ts-mls's 1.x branch, see ../vectors/README.md). */
import { hexToBytes } from '@noble/ciphers/utils.js';
import { decodeCommit, encodeCommit } from 'ts-mls/commit.js';
import type { CiphersuiteImpl } from 'ts-mls/crypto/ciphersuite.js';
import { defaultCapabilities } from 'ts-mls/defaultCapabilities.js';
import { createContentCommitSignature } from 'ts-mls/framedContent.js';
import type { GroupContext } from 'ts-mls/groupContext.js';
import { defaultKeyRetentionConfig } from 'ts-mls/keyRetentionConfig.js';
import { decodeMlsMessage } from 'ts-mls/message.js';
import {
  protect,
  protectApplicationData,
  protectProposal,
  unprotectPrivateMessage,
} from 'ts-mls/messageProtection.js';
import { defaultPaddingConfig } from 'ts-mls/paddingConfig.js';
import { decodeProposal, encodeProposal } from 'ts-mls/proposal.js';
import { createSecretTree } from 'ts-mls/secretTree.js';
import { expect } from 'vitest';
import { type MessageProtectionData, treeForLeafIndex1 } from './message-protection-public';

export async function commit(data: MessageProtectionData, gc: GroupContext, impl: CiphersuiteImpl) {
  const privateCommit = decodeMlsMessage(hexToBytes(data.commit_priv), 0);
  if (privateCommit === undefined || privateCommit[0].wireformat !== 'mls_private_message')
    throw new Error('could not decode mls private message');

  const secretTree = await createSecretTree(2, hexToBytes(data.encryption_secret), impl.kdf);

  const unprotected = await unprotectPrivateMessage(
    hexToBytes(data.sender_data_secret),
    privateCommit[0].privateMessage,
    secretTree,
    treeForLeafIndex1,
    gc,
    defaultKeyRetentionConfig,
    impl,
    hexToBytes(data.signature_pub),
  );

  if (unprotected === undefined || unprotected.content.content.contentType !== 'commit')
    throw new Error('could not unprotect mls private message');

  expect(encodeCommit(unprotected.content.content.commit)).toStrictEqual(hexToBytes(data.commit));
}

export async function application(data: MessageProtectionData, gc: GroupContext, impl: CiphersuiteImpl) {
  const privateApplication = decodeMlsMessage(hexToBytes(data.application_priv), 0);
  if (privateApplication === undefined || privateApplication[0].wireformat !== 'mls_private_message')
    throw new Error('could not decode mls private message');

  const secretTree = await createSecretTree(2, hexToBytes(data.encryption_secret), impl.kdf);

  const unprotected = await unprotectPrivateMessage(
    hexToBytes(data.sender_data_secret),
    privateApplication[0].privateMessage,
    secretTree,
    treeForLeafIndex1,
    gc,
    defaultKeyRetentionConfig,
    impl,
    hexToBytes(data.signature_pub),
  );

  if (unprotected === undefined || unprotected.content.content.contentType !== 'application')
    throw new Error('could not unprotect mls private message');

  expect(unprotected.content.content.applicationData).toStrictEqual(hexToBytes(data.application));
}

export async function protectThenUnprotectProposal(
  data: MessageProtectionData,
  gc: GroupContext,
  impl: CiphersuiteImpl,
) {
  const p = decodeProposal(hexToBytes(data.proposal), 0);
  if (p === undefined) throw new Error('could not decode proposal');

  const secretTree = await createSecretTree(2, hexToBytes(data.encryption_secret), impl.kdf);

  const pro = await protectProposal(
    hexToBytes(data.signature_priv),
    hexToBytes(data.sender_data_secret),
    p[0],
    new Uint8Array(),
    gc,
    secretTree,
    1,
    defaultPaddingConfig,
    impl,
  );

  const unprotected = await unprotectPrivateMessage(
    hexToBytes(data.sender_data_secret),
    pro.privateMessage,
    secretTree,
    treeForLeafIndex1,
    gc,
    defaultKeyRetentionConfig,
    impl,
    hexToBytes(data.signature_pub),
  );

  if (unprotected === undefined || unprotected.content.content.contentType !== 'proposal')
    throw new Error('could not unprotect mls private message');

  expect(encodeProposal(unprotected.content.content.proposal)).toStrictEqual(hexToBytes(data.proposal));
}

export async function protectThenUnprotectApplication(
  data: MessageProtectionData,
  gc: GroupContext,
  impl: CiphersuiteImpl,
) {
  const secretTree = await createSecretTree(2, hexToBytes(data.encryption_secret), impl.kdf);

  const pro = await protectApplicationData(
    hexToBytes(data.signature_priv),
    hexToBytes(data.sender_data_secret),
    hexToBytes(data.application),
    new Uint8Array(),
    gc,
    secretTree,
    1,
    defaultPaddingConfig,
    impl,
  );

  const unprotected = await unprotectPrivateMessage(
    hexToBytes(data.sender_data_secret),
    pro.privateMessage,
    secretTree,
    treeForLeafIndex1,
    gc,
    defaultKeyRetentionConfig,
    impl,
    hexToBytes(data.signature_pub),
  );

  if (unprotected === undefined || unprotected.content.content.contentType !== 'application')
    throw new Error('could not unprotect mls private message');

  expect(unprotected.content.content.applicationData).toStrictEqual(hexToBytes(data.application));
}

export async function protectThenUnprotectCommit(
  data: MessageProtectionData,
  gc: GroupContext,
  impl: CiphersuiteImpl,
) {
  const c = decodeCommit(hexToBytes(data.commit), 0);
  if (c === undefined) throw new Error('could not decode commit');

  const secretTree = await createSecretTree(2, hexToBytes(data.encryption_secret), impl.kdf);

  const confirmationTag = crypto.getRandomValues(new Uint8Array(impl.hpke.keyLength)); // should I be getting this elsewhere?

  const { framedContent, signature } = await createContentCommitSignature(
    gc,
    'mls_private_message',
    c[0],
    { leafIndex: 1, senderType: 'member' },
    new Uint8Array(),
    hexToBytes(data.signature_priv),
    impl.signature,
  );

  const content = {
    ...framedContent,
    auth: {
      contentType: framedContent.contentType,
      signature,
      confirmationTag,
    },
  };

  const pro = await protect(
    hexToBytes(data.sender_data_secret),
    new Uint8Array(),
    gc,
    secretTree,
    content,
    1,
    defaultPaddingConfig,
    impl,
  );

  const unprotected = await unprotectPrivateMessage(
    hexToBytes(data.sender_data_secret),
    pro.privateMessage,
    secretTree,
    treeForLeafIndex1,
    gc,
    defaultKeyRetentionConfig,
    impl,
    hexToBytes(data.signature_pub),
  );

  if (unprotected === undefined || unprotected.content.content.contentType !== 'commit')
    throw new Error('could not unprotect mls private message');

  expect(encodeCommit(unprotected.content.content.commit)).toStrictEqual(hexToBytes(data.commit));
}

export async function proposal(data: MessageProtectionData, gc: GroupContext, impl: CiphersuiteImpl) {
  const privateProposal = decodeMlsMessage(hexToBytes(data.proposal_priv), 0);
  if (privateProposal === undefined || privateProposal[0].wireformat !== 'mls_private_message')
    throw new Error('could not decode mls private message');

  const secretTree = await createSecretTree(2, hexToBytes(data.encryption_secret), impl.kdf);

  const unprotected = await unprotectPrivateMessage(
    hexToBytes(data.sender_data_secret),
    privateProposal[0].privateMessage,
    secretTree,
    [
      undefined,
      undefined,
      {
        nodeType: 'leaf',
        leaf: {
          leafNodeSource: 'commit',
          hpkePublicKey: new Uint8Array(),
          signaturePublicKey: new Uint8Array(),
          capabilities: defaultCapabilities(),
          parentHash: new Uint8Array(),
          extensions: [],
          signature: new Uint8Array(),
          credential: { credentialType: 'basic', identity: new Uint8Array() },
        },
      },
    ],
    gc,
    defaultKeyRetentionConfig,
    impl,
    hexToBytes(data.signature_pub),
  );

  if (unprotected === undefined || unprotected.content.content.contentType !== 'proposal')
    throw new Error('could not unprotect mls private message');

  expect(encodeProposal(unprotected.content.content.proposal)).toStrictEqual(hexToBytes(data.proposal));
}
