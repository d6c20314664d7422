/**
 * One device's membership in one conversation (an MLS group whose members are devices). Each
 * operation replaces the whole ts-mls state and deletes the keys it consumed, so an exported state
 * holds no key for a message this device already sent or read (forward secrecy), and the old state
 * of a device that committed an update opens nothing sent afterwards (post-compromise security).
 */
import {
  type ClientState,
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeGroupState,
  emptyPskIndex,
  encodeGroupState,
  joinGroup,
  type Proposal,
  zeroOutUint8Array,
} from 'ts-mls';
import { type AccountKeyResolver, CertificateAuthenticationService } from './authentication';
import { equalBytes } from './bytes';
import { loadCiphersuite } from './ciphersuite';
import { lockboxClientConfig } from './client-config';
import type { Device } from './device';
import { refuse } from './errors';
import {
  checkKeyPackage,
  decodeKeyPackage,
  generateKeyPackage,
  keyPackageRef,
  type LocalKeyPackage,
} from './key-packages';
import {
  authenticateAllMembers,
  type Member,
  type MemberId,
  memberAt,
  membersOf,
  sameMember,
} from './members';
import { checkFraming, type Received, receiveApplication, receiveCommit } from './receive';
import { type StagedCommit, stagedCommit, stagedCommitParts } from './staged-commit';
import { decodeWire, encodeWire } from './wire';

export interface GroupMemberOptions {
  /** The account identity key this client pinned for a user; undefined refuses that user's devices. */
  accountKeyFor: AccountKeyResolver;
}

/** Only this module constructs members (create, join, import), each from a state it checked. */
const CONSTRUCT = Symbol('GroupMember');

export class GroupMember {
  #state: ClientState;
  #auth: CertificateAuthenticationService;
  #accountKeyFor: AccountKeyResolver;
  /** Operations run one at a time: each starts from the state the previous one left. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    token: typeof CONSTRUCT,
    state: ClientState,
    auth: CertificateAuthenticationService,
    accountKeyFor: AccountKeyResolver,
  ) {
    if (token !== CONSTRUCT) throw new TypeError('use GroupMember.create, join or import');
    this.#state = state;
    this.#auth = auth;
    this.#accountKeyFor = accountKeyFor;
  }

  /** Starts a group with this device as its only member. */
  static async create(
    device: Device,
    groupId: Uint8Array,
    options: GroupMemberOptions,
  ): Promise<GroupMember> {
    const cs = await loadCiphersuite();
    const auth = new CertificateAuthenticationService(options.accountKeyFor);
    const own = await generateKeyPackage(device);
    const state = await createGroup(
      groupId,
      own.publicPackage,
      own.privatePackage,
      [],
      cs,
      lockboxClientConfig(auth),
    );
    return new GroupMember(CONSTRUCT, state, auth, options.accountKeyFor);
  }

  /**
   * Joins from a Welcome addressed to one of this device's KeyPackages. The caller deletes the
   * returned KeyPackage from its pool unless it is the last-resort one.
   */
  static async join(
    welcomeBytes: Uint8Array,
    candidates: readonly LocalKeyPackage[],
    options: GroupMemberOptions,
  ): Promise<{ member: GroupMember; usedKeyPackage: LocalKeyPackage }> {
    const cs = await loadCiphersuite();
    const { welcome } = decodeWire(welcomeBytes, 'mls_welcome');
    let used: LocalKeyPackage | undefined;
    for (const kp of candidates) {
      const ref = await keyPackageRef(kp.publicPackage);
      if (
        welcome.secrets.some(
          (s) => s.newMember.length === ref.length && s.newMember.every((b, i) => b === ref[i]),
        )
      )
        used = kp;
    }
    if (used === undefined)
      return refuse('not-for-this-device', 'the Welcome names none of these KeyPackages');
    const auth = new CertificateAuthenticationService(options.accountKeyFor);
    let state: ClientState;
    try {
      state = await joinGroup(
        welcome,
        used.publicPackage,
        used.privatePackage,
        emptyPskIndex,
        cs,
        undefined,
        undefined,
        lockboxClientConfig(auth),
      );
    } catch (e) {
      if (auth.lastRefusal) throw auth.lastRefusal;
      return refuse('decrypt-failed', 'Welcome refused', e);
    }
    authenticateAllMembers(state, options.accountKeyFor);
    return { member: new GroupMember(CONSTRUCT, state, auth, options.accountKeyFor), usedKeyPackage: used };
  }

  /** Restores a state written by `export()` for this same device. */
  static import(device: Device, bytes: Uint8Array, options: GroupMemberOptions): GroupMember {
    const decoded = (() => {
      try {
        return decodeGroupState(bytes, 0);
      } catch (e) {
        return refuse('malformed', 'stored group state does not decode', e);
      }
    })();
    if (decoded === undefined || decoded[1] !== bytes.length)
      return refuse('malformed', 'stored group state does not decode');
    const auth = new CertificateAuthenticationService(options.accountKeyFor);
    const state: ClientState = { ...decoded[0], clientConfig: lockboxClientConfig(auth) };
    const own = memberAt(state.ratchetTree, state.privatePath.leafIndex);
    const ownLeaf = state.ratchetTree[state.privatePath.leafIndex * 2];
    if (
      own === undefined ||
      ownLeaf?.nodeType !== 'leaf' ||
      !sameMember(own, device.certificate) ||
      !equalBytes(ownLeaf.leaf.signaturePublicKey, device.certificate.signaturePublicKey)
    )
      return refuse('not-for-this-device', 'stored group state belongs to another device');
    return new GroupMember(CONSTRUCT, state, auth, options.accountKeyFor);
  }

  get groupId(): Uint8Array {
    return this.#state.groupContext.groupId;
  }
  get epoch(): bigint {
    return this.#state.groupContext.epoch;
  }
  get removed(): boolean {
    return this.#state.groupActiveState.kind === 'removedFromGroup';
  }
  members(): Member[] {
    return membersOf(this.#state.ratchetTree);
  }

  /** The whole state (private keys included) for the device's encrypted local store. */
  export(): Uint8Array {
    return encodeGroupState(this.#state);
  }

  encrypt(plaintext: Uint8Array): Promise<Uint8Array> {
    return this.#exclusive(async () => {
      const cs = await loadCiphersuite();
      const { newState, privateMessage, consumed } = await createApplicationMessage(
        this.#state,
        plaintext,
        cs,
      );
      this.#adopt(newState, consumed);
      return encodeWire({ version: 'mls10', wireformat: 'mls_private_message', privateMessage });
    });
  }

  /** An application message or a commit from the conversation, in the order the server gave them. */
  receive(bytes: Uint8Array): Promise<Received> {
    return this.#exclusive(async () => {
      const cs = await loadCiphersuite();
      const { privateMessage: pm } = decodeWire(bytes, 'mls_private_message');
      checkFraming(this.#state, pm);
      this.#auth.lastRefusal = undefined;
      const result =
        pm.contentType === 'application'
          ? await receiveApplication(this.#state, pm, cs, this.#auth)
          : pm.contentType === 'commit'
            ? await receiveCommit(this.#state, pm, cs, this.#auth, this.#accountKeyFor)
            : refuse('unsupported-content', 'standalone proposals are not used by LockBox');
      this.#adopt(result.newState, result.consumed);
      return result.received;
    });
  }

  /** Adds devices by their KeyPackages (from the server, so each is checked first). */
  addDevices(keyPackages: readonly Uint8Array[]): Promise<StagedCommit> {
    return this.#exclusive(async () => {
      const proposals: Proposal[] = [];
      for (const bytes of keyPackages) {
        const keyPackage = decodeKeyPackage(bytes);
        await checkKeyPackage(keyPackage, this.#accountKeyFor);
        proposals.push({ proposalType: 'add', add: { keyPackage } });
      }
      return this.#stage(proposals);
    });
  }

  removeDevices(devices: readonly MemberId[]): Promise<StagedCommit> {
    return this.#exclusive(async () => {
      const members = this.members();
      const proposals: Proposal[] = devices.map((d) => {
        const m = members.find((x) => sameMember(x, d));
        if (m === undefined) return refuse('not-a-member', 'that device is not in this group');
        return { proposalType: 'remove', remove: { removed: m.leafIndex } };
      });
      return this.#stage(proposals);
    });
  }

  /** A commit with a fresh path: new leaf and path keys, a new epoch secret nobody old can derive. */
  selfUpdate(): Promise<StagedCommit> {
    return this.#exclusive(() => this.#stage([]));
  }

  /** Applies a commit this member created, once the server has accepted it for its epoch. */
  merge(staged: StagedCommit): Promise<void> {
    return this.#exclusive(async () => {
      const { base, newState, consumed } = stagedCommitParts(staged);
      if (base !== this.#state)
        refuse('old-epoch', 'this commit was built on a state that is no longer current');
      this.#adopt(newState, consumed);
    });
  }

  async #stage(extraProposals: Proposal[]): Promise<StagedCommit> {
    if (this.removed) refuse('removed', 'this device was removed from the group');
    const cs = await loadCiphersuite();
    this.#auth.lastRefusal = undefined;
    try {
      const result = await createCommit(
        { state: this.#state, cipherSuite: cs },
        { extraProposals, ratchetTreeExtension: true },
      );
      return stagedCommit(this.#state, result);
    } catch (e) {
      if (this.#auth.lastRefusal) throw this.#auth.lastRefusal;
      throw e;
    }
  }

  #adopt(newState: ClientState, consumed: Uint8Array[]): void {
    this.#state = newState;
    for (const key of consumed) zeroOutUint8Array(key);
  }

  #exclusive<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.removed) refuse('removed', 'this device was removed from the group');
      return op();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
