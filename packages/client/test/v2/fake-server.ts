/**
 * An honest in-memory Delivery Service + device directory + archive implementing V2Transport as
 * the v2 wire design describes it (409 `conflict` on a stale commit epoch, one-time KeyPackages
 * deleted when claimed, revocation drops KeyPackages and sessions). Hostile tests wrap a transport
 * and replace single methods.
 */
import { newId } from '@lockbox/contracts';
import { ed25519 } from '@noble/curves/ed25519.js';
import { LockboxApiError } from '../../src/api/errors';
import { fromBase64, toBase64 } from '../../src/crypto/bytes';
import type { SendMlsRequest, TSignedDeviceList, V2Transport } from '../../src/v2';

const LABEL = new TextEncoder().encode('LockBox device list v1');
const signingBytes = (body: Uint8Array) => {
  const out = new Uint8Array(2 + LABEL.length + body.length);
  out.set([LABEL.length >> 8, LABEL.length & 0xff]);
  out.set(LABEL, 2);
  out.set(body, 2 + LABEL.length);
  return out;
};

interface Body {
  user_id: string;
  version: number;
  archive: boolean;
  devices: { device_id: string; added_at: string }[];
}

export interface StoredItem {
  id: string;
  conversation_id: string;
  seq: number;
  cursor: string;
  sender_id: string;
  recipient_id: string;
  encrypted_blob: string;
  signature: string;
  created_at: string;
  mls: { kind: 'application' | 'commit' | 'welcome'; epoch: number };
}

const conflict = (m: string) => new LockboxApiError('conflict', m, 409);
const forbidden = (m: string) => new LockboxApiError('forbidden', m, 403);

export class FakeServer {
  readonly identityKeys = new Map<string, Uint8Array>();
  readonly lists = new Map<string, { version: number; signed: TSignedDeviceList; body: Body }>();
  readonly revoked = new Set<string>();
  readonly sessions: { userId: string; device: () => string | undefined; revoked: boolean }[] = [];
  readonly keyPackages = new Map<string, { pool: string[]; lastResort?: string }>();
  readonly conversations = new Map<string, { id: string; epoch: number; seq: number }>();
  readonly items: StoredItem[] = [];
  readonly archives = new Map<string, { cursor: string; tag: string; blob: string }[]>();
  #clock = Date.UTC(2026, 11, 3);

  #tick(): string {
    this.#clock += 1000;
    return new Date(this.#clock).toISOString();
  }

  addUser(userId: string, identityKey: Uint8Array): void {
    this.identityKeys.set(userId, identityKey);
  }

  #conversation(a: string, b: string) {
    const key = [a, b].sort().join('|');
    let c = this.conversations.get(key);
    if (c === undefined) {
      c = { id: newId('conversation'), epoch: 0, seq: 0 };
      this.conversations.set(key, c);
    }
    return c;
  }

  #checkList(userId: string, signed: TSignedDeviceList): Body {
    const body = fromBase64(signed.body);
    const key = this.identityKeys.get(userId);
    if (!key || !ed25519.verify(fromBase64(signed.signature), signingBytes(body), key))
      throw new LockboxApiError('invalid_input', 'bad list signature', 400);
    const parsed = JSON.parse(new TextDecoder().decode(body)) as Body;
    if (parsed.user_id !== userId) throw new LockboxApiError('invalid_input', 'not yours', 400);
    const version = this.lists.get(userId)?.version ?? 0;
    if (parsed.version !== version + 1) throw conflict(`current version ${version}`);
    return parsed;
  }

  #store(c: { id: string; seq: number }, from: string, to: string, blob: string, mls: StoredItem['mls']) {
    c.seq += 1;
    const item: StoredItem = {
      id: newId('message'),
      conversation_id: c.id,
      seq: c.seq,
      cursor: String(this.items.length + 1),
      sender_id: from,
      recipient_id: to,
      encrypted_blob: blob,
      signature: '',
      created_at: this.#tick(),
      mls,
    };
    this.items.push(item);
    return item;
  }

  /** One device's connection: its session is bound to a device once it registers. */
  connect(userId: string): V2Transport & { boundDevice: () => string | undefined } {
    let device: string | undefined;
    const session = { userId, device: () => device, revoked: false };
    this.sessions.push(session);
    const live = () => {
      if (session.revoked || (device !== undefined && this.revoked.has(device)))
        throw new LockboxApiError('unauthorized', 'session revoked', 401);
    };
    const t = {
      boundDevice: () => device,
      registerDevice: async (req: { device_id: string; device_list: TSignedDeviceList }) => {
        live();
        if (device !== undefined) throw conflict('session already bound');
        if (this.revoked.has(req.device_id)) throw conflict('revoked id');
        const body = this.#checkList(userId, req.device_list);
        if (!body.devices.some((d) => d.device_id === req.device_id)) throw conflict('device not in list');
        this.lists.set(userId, { version: body.version, signed: req.device_list, body });
        device = req.device_id;
        return {
          device_list: req.device_list,
          device: { device_id: device, created_at: '', last_seen_at: null, current: true },
        };
      },
      myDevices: async () => {
        live();
        const listed = this.lists.get(userId)?.body.devices ?? [];
        return {
          device_list: this.lists.get(userId)?.signed ?? null,
          devices: listed.map((d) => ({
            device_id: d.device_id,
            created_at: d.added_at,
            last_seen_at: null,
            current: d.device_id === device,
          })),
        };
      },
      deviceList: async (u: string) => {
        live();
        return { device_list: this.lists.get(u)?.signed ?? null };
      },
      updateDeviceList: async (signed: TSignedDeviceList) => {
        live();
        const before = this.lists.get(userId)?.body.devices.map((d) => d.device_id) ?? [];
        const body = this.#checkList(userId, signed);
        const kept = new Set(body.devices.map((d) => d.device_id));
        const removed = before.filter((id) => !kept.has(id));
        for (const id of removed) {
          this.revoked.add(id);
          this.keyPackages.delete(id);
        }
        // Like the auth service: a revocation also ends every other session not bound to a listed device.
        if (removed.length > 0)
          for (const s of this.sessions) {
            const bound = s.device();
            if (s !== session && s.userId === userId && (bound === undefined || !kept.has(bound)))
              s.revoked = true;
          }
        this.lists.set(userId, { version: body.version, signed, body });
        if (!body.archive) this.archives.delete(userId);
        return { device_list: signed };
      },
      uploadKeyPackages: async (req: { device_id: string; key_packages: string[]; last_resort?: string }) => {
        live();
        if (req.device_id !== device) throw forbidden('not your device');
        const kp = this.keyPackages.get(device) ?? { pool: [] };
        for (const k of req.key_packages) if (!kp.pool.includes(k)) kp.pool.push(k);
        if (req.last_resort) kp.lastResort = req.last_resort;
        this.keyPackages.set(device, kp);
        return { available: kp.pool.length, has_last_resort: kp.lastResort !== undefined };
      },
      keyPackageCount: async () => {
        live();
        const kp = device === undefined ? undefined : this.keyPackages.get(device);
        return { available: kp?.pool.length ?? 0, has_last_resort: kp?.lastResort !== undefined };
      },
      claimKeyPackages: async (u: string) => {
        live();
        const out: { device_id: string; key_package: string; last_resort: boolean }[] = [];
        for (const d of this.lists.get(u)?.body.devices ?? []) {
          if (d.device_id === device || this.revoked.has(d.device_id)) continue;
          const kp = this.keyPackages.get(d.device_id);
          const one = kp?.pool.shift();
          if (one !== undefined) out.push({ device_id: d.device_id, key_package: one, last_resort: false });
          else if (kp?.lastResort)
            out.push({ device_id: d.device_id, key_package: kp.lastResort, last_resort: true });
        }
        return { key_packages: out };
      },
      sendMls: async (req: SendMlsRequest) => {
        live();
        const c = this.#conversation(userId, req.recipient_id);
        if (req.kind === 'commit') {
          if (req.epoch !== c.epoch) throw conflict(`current epoch ${c.epoch}`);
          c.epoch += 1;
        }
        const item = this.#store(c, userId, req.recipient_id, req.message, {
          kind: req.kind,
          epoch: req.epoch,
        });
        if (req.welcome)
          this.#store(c, userId, req.recipient_id, req.welcome, { kind: 'welcome', epoch: c.epoch });
        return {
          message_id: item.id,
          conversation_id: c.id,
          seq: item.seq,
          cursor: item.cursor,
          created_at: item.created_at,
        };
      },
      mlsEpoch: async (contact: string) => {
        live();
        const c = this.#conversation(userId, contact);
        return { conversation_id: c.id, epoch: c.epoch };
      },
      archiveAppend: async (segments: { tag: string; blob: string }[]) => {
        live();
        if (!this.lists.get(userId)?.body.archive) throw conflict('archive is off');
        const a = this.archives.get(userId) ?? [];
        let stored = 0;
        for (const s of segments) {
          if (a.some((x) => x.tag === s.tag)) continue;
          a.push({ cursor: String(a.length + 1), ...s });
          stored++;
        }
        this.archives.set(userId, a);
        return { stored, duplicates: segments.length - stored };
      },
      archiveList: async (after: string | undefined, limit: number) => {
        live();
        const a = this.archives.get(userId) ?? [];
        const from = after === undefined ? 0 : Number(after);
        const segments = a.slice(from, from + limit);
        return { segments, next_cursor: from + limit < a.length ? String(from + limit) : null };
      },
      archiveClear: async () => {
        this.archives.delete(userId);
      },
      messagesAfter: async (after: string | undefined) => {
        live();
        const from = after === undefined ? 0 : Number(after);
        const mine = this.items.filter(
          (i) => Number(i.cursor) > from && (i.sender_id === userId || i.recipient_id === userId),
        );
        const page = mine.slice(0, 100);
        return {
          messages: page,
          next_cursor: page.at(-1)?.cursor ?? after ?? '0',
          has_more: mine.length > page.length,
        };
      },
    };
    return t;
  }
}

export const b64 = toBase64;
