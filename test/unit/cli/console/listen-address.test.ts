/**
 * @module test/unit/cli/console/listen-address
 * Where `mesh console` may listen and which Host headers it answers (docs/console.md
 * "Security"): loopback needs nothing, any other address needs --allow-remote and TLS, a
 * wildcard needs --public-name, a name is never a listen address, and a Host that does not
 * name the console (a DNS name rebound to 127.0.0.1, another port) is not answered.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../src/cli/cli-errors.js';
import {
  allowedHosts,
  checkExposure,
  DEFAULT_LISTEN,
  type ExposureOptions,
  hostAllowed,
  isLoopbackHost,
  parseListen,
} from '../../../../src/cli/console/listen-address.js';

const NOTHING: ExposureOptions = { allowRemote: false, tlsCert: undefined, tlsKey: undefined, publicName: undefined };
const REMOTE_TLS: ExposureOptions = {
  allowRemote: true,
  tlsCert: 'cert.pem',
  tlsKey: 'key.pem',
  publicName: undefined,
};

/** The UsageError `run` throws, so its argument and message can be checked. */
function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError, nothing was thrown');
}

describe('parseListen', () => {
  it('the default is loopback on 8080', () => {
    expect(parseListen(DEFAULT_LISTEN)).toEqual({ host: '127.0.0.1', port: 8080, loopback: true });
  });

  it('loopback addresses and localhost are loopback; [v6]:port is IPv6', () => {
    expect(parseListen('localhost:0')).toEqual({ host: 'localhost', port: 0, loopback: true });
    expect(parseListen('127.8.9.10:65535')).toEqual({ host: '127.8.9.10', port: 65535, loopback: true });
    expect(parseListen('[::1]:8443')).toEqual({ host: '::1', port: 8443, loopback: true });
    expect(parseListen('192.168.1.10:8443')).toEqual({ host: '192.168.1.10', port: 8443, loopback: false });
    expect(parseListen('0.0.0.0:8443')).toEqual({ host: '0.0.0.0', port: 8443, loopback: false });
    expect(parseListen('[::]:8443')).toEqual({ host: '::', port: 8443, loopback: false });
    expect(parseListen('[fe80::1]:1')).toMatchObject({ host: 'fe80::1', loopback: false });
  });

  it('a host name is refused: it could resolve anywhere', () => {
    for (const raw of ['console.example.com:8080', 'pi.home.arpa:8443', '127.0.0.1.nip.io:80']) {
      const error = usageError(() => parseListen(raw));
      expect(error.argument).toBe('--listen');
      expect(error.message).toContain('expected an IP address or localhost');
      expect(error.message).toContain(JSON.stringify(raw.slice(0, raw.lastIndexOf(':'))));
    }
  });

  it('no port, a port over 65535, an unbracketed IPv6 address or garbage is refused naming --listen', () => {
    for (const raw of ['127.0.0.1', '127.0.0.1:', '127.0.0.1:65536', '::1:8080', ':8080', '127.0.0.1:80:80', '']) {
      const error = usageError(() => parseListen(raw));
      expect(error.argument).toBe('--listen');
      expect(error.message).toMatch(/^--listen: expected /);
    }
    expect(usageError(() => parseListen('127.0.0.1:65536')).message).toContain('got 65536');
  });

  it('isLoopbackHost: 127/8, ::1 and localhost only', () => {
    for (const h of ['127.0.0.1', '127.255.255.254', '::1', 'localhost', 'LOCALHOST'])
      expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '::ffff:127.0.0.1', '127.example.com', '1270.0.0.1'])
      expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe('checkExposure', () => {
  it('loopback is accepted with no flag at all', () => {
    for (const raw of ['127.0.0.1:8080', 'localhost:0', '[::1]:8080'])
      expect(() => checkExposure(parseListen(raw), NOTHING)).not.toThrow();
  });

  it('a non-loopback address without --allow-remote is refused, even with TLS', () => {
    for (const options of [NOTHING, { ...REMOTE_TLS, allowRemote: false }]) {
      const error = usageError(() => checkExposure(parseListen('192.168.1.10:8443'), options));
      expect(error.argument).toBe('--listen');
      expect(error.message).toContain('192.168.1.10 is not a loopback address');
      expect(error.message).toContain('--allow-remote');
    }
  });

  it('--allow-remote without TLS is refused: the token and cookie would cross the network in clear', () => {
    const error = usageError(() => checkExposure(parseListen('192.168.1.10:8443'), { ...NOTHING, allowRemote: true }));
    expect(error.argument).toBe('--allow-remote');
    expect(error.message).toContain('needs TLS');
  });

  it('--tls-cert without --tls-key (or the other way round) is refused, on loopback too', () => {
    const noKey = usageError(() => checkExposure(parseListen(DEFAULT_LISTEN), { ...NOTHING, tlsCert: 'cert.pem' }));
    expect(noKey.argument).toBe('--tls-key');
    expect(noKey.message).toContain('--tls-cert and --tls-key go together');
    const noCert = usageError(() =>
      checkExposure(parseListen('192.168.1.10:8443'), { ...REMOTE_TLS, tlsCert: undefined }),
    );
    expect(noCert.argument).toBe('--tls-cert');
  });

  it('a specific address with --allow-remote and TLS is accepted without --public-name', () => {
    expect(() => checkExposure(parseListen('192.168.1.10:8443'), REMOTE_TLS)).not.toThrow();
    expect(() => checkExposure(parseListen('[fd00::10]:8443'), REMOTE_TLS)).not.toThrow();
  });

  it('a wildcard address needs --public-name as well', () => {
    for (const raw of ['0.0.0.0:8443', '[::]:8443']) {
      const error = usageError(() => checkExposure(parseListen(raw), REMOTE_TLS));
      expect(error.argument).toBe('--listen');
      expect(error.message).toContain('listens on every address: give --public-name');
      expect(() => checkExposure(parseListen(raw), { ...REMOTE_TLS, publicName: 'pi.home.arpa' })).not.toThrow();
    }
  });
});

describe('allowedHosts and hostAllowed', () => {
  it('loopback: the console under its loopback names, with its port, and nothing else', () => {
    const hosts = allowedHosts(parseListen('127.0.0.1:0'), 41234, undefined);
    expect([...hosts].sort()).toEqual(['127.0.0.1:41234', '[::1]:41234', 'localhost:41234']);
    for (const ok of ['127.0.0.1:41234', 'localhost:41234', 'LocalHost:41234', '[::1]:41234'])
      expect(hostAllowed(ok, hosts), ok).toBe(true);
    for (const refused of [
      undefined,
      '',
      'attacker.example',
      'attacker.example:41234',
      '127.0.0.1',
      'localhost',
      '127.0.0.1:8080',
      '127.0.0.2:41234',
      '127.0.0.1:41234.attacker.example',
      'localhost.:41234',
      '0.0.0.0:41234',
    ])
      expect(hostAllowed(refused, hosts), String(refused)).toBe(false);
  });

  it('a remote address adds itself (IPv6 bracketed) and --public-name, lower-cased', () => {
    const v4 = allowedHosts(parseListen('192.168.1.10:8443'), 8443, 'Pi.Home.Arpa');
    expect(hostAllowed('192.168.1.10:8443', v4)).toBe(true);
    expect(hostAllowed('pi.home.arpa:8443', v4)).toBe(true);
    expect(hostAllowed('PI.HOME.ARPA:8443', v4)).toBe(true);
    expect(hostAllowed('pi.home.arpa', v4)).toBe(false);
    expect(hostAllowed('other.home.arpa:8443', v4)).toBe(false);

    const v6 = allowedHosts(parseListen('[FD00::10]:8443'), 8443, undefined);
    expect(hostAllowed('[fd00::10]:8443', v6)).toBe(true);
    expect(hostAllowed('fd00::10:8443', v6)).toBe(false);

    // A wildcard listens everywhere, but a LAN address the browser might use is not answered:
    // only --public-name and the loopback names are.
    const any = allowedHosts(parseListen('0.0.0.0:8443'), 8443, 'pi.home.arpa');
    expect(hostAllowed('pi.home.arpa:8443', any)).toBe(true);
    expect(hostAllowed('localhost:8443', any)).toBe(true);
    expect(hostAllowed('192.168.1.10:8443', any)).toBe(false);
  });
});
