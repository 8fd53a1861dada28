/**
 * @module test/unit/service/rate-limit/source-address.test
 * Which key a source is counted under (IPv4, IPv4-mapped, IPv6 by /64) and which address
 * X-Forwarded-For yields: only from a trusted proxy, right-most untrusted hop.
 */
import { describe, expect, it } from 'vitest';
import { canonicalAddress, sourceKey, TrustedProxies } from '../../../../src/service/rate-limit/source-address.js';

describe('source address', () => {
  it('canonicalises IPv4, IPv4-mapped IPv6 and IPv6 spellings; refuses what is not an address', () => {
    expect(canonicalAddress('192.0.2.1')).toBe('192.0.2.1');
    expect(canonicalAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(canonicalAddress('::FFFF:7f00:1')).toBe('127.0.0.1');
    expect(canonicalAddress('::1')).toBe('0:0:0:0:0:0:0:1');
    expect(canonicalAddress('[2001:DB8::1]')).toBe('2001:db8:0:0:0:0:0:1');
    expect(canonicalAddress('fe80::1%eth0')).toBe('fe80:0:0:0:0:0:0:1');
    expect(canonicalAddress('1:2:3:4:5:6:1.2.3.4')).toBe('1:2:3:4:5:6:102:304');
    for (const bad of ['', 'x', '1.2.3.256', '01.2.3.4', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'unknown']) {
      expect({ bad, canonical: canonicalAddress(bad) }).toEqual({ bad, canonical: undefined });
    }
  });

  it('counts IPv6 by /64 and IPv4 by address', () => {
    expect(sourceKey('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
    expect(sourceKey('2001:db8:0:1:ffff:ffff:ffff:ffff')).toBe('2001:db8:0:1::/64');
    expect(sourceKey('2001:db8:0:2::1')).toBe('2001:db8:0:2::/64');
    expect(sourceKey('::ffff:192.0.2.9')).toBe('192.0.2.9');
    expect(sourceKey('192.0.2.9')).not.toBe(sourceKey('192.0.2.10'));
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    const none = new TrustedProxies([]);
    expect(none.clientAddress('192.0.2.1', '203.0.113.5')).toBe('192.0.2.1');
    const some = new TrustedProxies(['127.0.0.1']);
    expect(some.clientAddress('192.0.2.1', '203.0.113.5')).toBe('192.0.2.1');
  });

  it('from a trusted proxy, takes the right-most hop that is not itself trusted; the client-written left part is never believed', () => {
    const proxies = new TrustedProxies(['127.0.0.1', '10.0.0.2']);
    expect(proxies.clientAddress('127.0.0.1', '203.0.113.5')).toBe('203.0.113.5');
    expect(proxies.clientAddress('::ffff:127.0.0.1', '198.51.100.1, 203.0.113.5, 10.0.0.2')).toBe('203.0.113.5');
    expect(proxies.clientAddress('127.0.0.1', ['198.51.100.1', '203.0.113.5'])).toBe('203.0.113.5');
    // A garbled hop where the proxy wrote: the chain cannot be read, so the proxy itself is counted.
    expect(proxies.clientAddress('127.0.0.1', '203.0.113.5, garbage')).toBe('127.0.0.1');
    expect(proxies.clientAddress('127.0.0.1', undefined)).toBe('127.0.0.1');
    expect(proxies.clientAddress('127.0.0.1', '10.0.0.2')).toBe('10.0.0.2');
  });

  it('refuses a trusted proxy that is not an IP address, naming it', () => {
    expect(() => new TrustedProxies(['proxy.example.com'])).toThrow(
      /trusted proxy must be an IP address, got "proxy\.example\.com"/,
    );
  });
});
