/**
 * @module service/rate-limit/source-address
 * Who sent a request, as the rate limits count it (docs/security.md "Rate limits"):
 * - the peer address of the connection, unless the operator named that peer as a trusted
 *   proxy (`--trust-proxy`); only then is `X-Forwarded-For` read, right to left, and the
 *   first address that is not itself a trusted proxy is the client (the left part of the
 *   header is whatever the client wrote, so it is never believed);
 * - IPv4-mapped IPv6 addresses count as the IPv4 address;
 * - IPv6 addresses count by their /64, because one host is routinely given a whole /64 and
 *   could otherwise take a fresh bucket for every request.
 */

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The eight 16-bit groups of an IPv6 address, or undefined if `text` is not one. */
function ipv6Groups(text: string): number[] | undefined {
  let address = text.replace(/%.*$/, '');
  let tail: number[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (v4 !== null) {
    const prefix = v4[1] as string;
    if (!IPV4.test(v4[2] as string)) return undefined;
    const o = (v4[2] as string).split('.').map(Number) as [number, number, number, number];
    tail = [(o[0] << 8) | o[1], (o[2] << 8) | o[3]];
    // "::ffff:1.2.3.4" keeps its "::"; "1:2:3:4:5:6:1.2.3.4" loses the ':' before the dotted part.
    address = prefix.endsWith('::') ? prefix : prefix.slice(0, -1);
  }
  const parts = address.split('::');
  if (parts.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return groups.map((g) => parseInt(g, 16));
  };
  const head = parse(parts[0] as string);
  const rest = parts.length === 2 ? parse(parts[1] as string) : [];
  if (head === undefined || rest === undefined) return undefined;
  const total = head.length + rest.length + tail.length;
  if (parts.length === 1 ? total !== 8 : total > 7) return undefined;
  return [...head, ...new Array<number>(8 - total).fill(0), ...rest, ...tail];
}

/**
 * The canonical form of an IP address (IPv4 dotted, IPv4-mapped IPv6 as IPv4, IPv6 as eight
 * lower-case hex groups), or undefined when `text` is not an address.
 */
export function canonicalAddress(text: string): string | undefined {
  const trimmed = text.trim().replace(/^\[(.*)\]$/, '$1');
  if (IPV4.test(trimmed)) return trimmed;
  const groups = ipv6Groups(trimmed);
  if (groups === undefined) return undefined;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [a, b] = [groups[6] as number, groups[7] as number];
    return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
  }
  return groups.map((g) => g.toString(16)).join(':');
}

/** The key a source is counted under: the IPv4 address, or the IPv6 /64 (`2001:db8:0:1::/64`). */
export function sourceKey(address: string): string {
  const canonical = canonicalAddress(address);
  if (canonical === undefined) return `other:${address.slice(0, 64)}`;
  if (!canonical.includes(':')) return canonical;
  return `${canonical.split(':').slice(0, 4).join(':')}::/64`;
}

/** The set of proxies the operator trusts, by canonical address. */
export class TrustedProxies {
  readonly #addresses: ReadonlySet<string>;

  /** @throws RangeError naming the entry that is not an IP address. */
  constructor(addresses: readonly string[]) {
    const set = new Set<string>();
    for (const address of addresses) {
      const canonical = canonicalAddress(address);
      if (canonical === undefined)
        throw new RangeError(`a trusted proxy must be an IP address, got ${JSON.stringify(address.slice(0, 80))}`);
      set.add(canonical);
    }
    this.#addresses = set;
  }

  get size(): number {
    return this.#addresses.size;
  }

  has(address: string): boolean {
    const canonical = canonicalAddress(address);
    return canonical !== undefined && this.#addresses.has(canonical);
  }

  /**
   * The client address of a request that came from `peer` with these X-Forwarded-For values:
   * the peer itself unless it is trusted; otherwise the right-most forwarded address that is
   * not a trusted proxy (a malformed entry there means the chain cannot be read, so the peer
   * is used).
   */
  clientAddress(peer: string | undefined, forwardedFor: string | readonly string[] | undefined): string | undefined {
    if (peer === undefined || !this.has(peer) || forwardedFor === undefined) return peer;
    const hops = (typeof forwardedFor === 'string' ? [forwardedFor] : forwardedFor)
      .join(',')
      .split(',')
      .map((hop) => hop.trim())
      .filter((hop) => hop !== '');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = canonicalAddress(hops[i] as string);
      if (hop === undefined) return peer;
      if (!this.#addresses.has(hop)) return hop;
    }
    return hops.length === 0 ? peer : (canonicalAddress(hops[0] as string) ?? peer);
  }
}
