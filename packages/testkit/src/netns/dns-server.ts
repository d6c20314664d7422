/**
 * A small authoritative DNS server for a test network, on UDP port 53 of one
 * address: it answers A queries from a table the test can change while it
 * runs (a name with several addresses, the way a Kubernetes headless Service
 * answers one record per ready pod). Unknown names are NXDOMAIN; AAAA and
 * other types of a known name are answered empty (NOERROR), so resolvers do
 * not wait. TTL 0, so nothing caches an answer the test is about to change.
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

export class TestDnsServer {
  readonly #socket = dgram.createSocket('udp4');
  readonly #records = new Map<string, string[]>();
  /** Queries answered, per name (to see that a process really looked a name up). */
  readonly queries = new Map<string, number>();

  /** Sets (or with an empty list, removes) the A records of `name`. */
  set(name: string, addresses: readonly string[]): void {
    const key = name.toLowerCase().replace(/\.$/, '');
    if (addresses.length === 0) this.#records.delete(key);
    else this.#records.set(key, [...addresses]);
  }

  records(name: string): string[] {
    return this.#records.get(name.toLowerCase()) ?? [];
  }

  listen(address: string, port = 53): Promise<void> {
    this.#socket.on('message', (msg, rinfo) => this.#answer(msg, rinfo));
    this.#socket.on('error', () => undefined);
    return new Promise((resolve, reject) => {
      this.#socket.once('error', reject);
      this.#socket.bind(port, address, () => {
        this.#socket.off('error', reject);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }

  #answer(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return; // not DNS: no answer, as a real server would drop it
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase().replace(/\.$/, '');
    this.queries.set(name, (this.queries.get(name) ?? 0) + 1);
    const addresses = this.#records.get(name);
    const answers: dnsPacket.Answer[] =
      addresses && question.type === 'A'
        ? addresses.map((data) => ({ type: 'A', class: 'IN', name: question.name, ttl: 0, data }))
        : [];
    const reply = dnsPacket.encode({
      id: query.id,
      type: 'response',
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (addresses ? 0 : 3), // rcode 3: NXDOMAIN
      questions: [question],
      answers,
    });
    this.#socket.send(reply, rinfo.port, rinfo.address);
  }
}
