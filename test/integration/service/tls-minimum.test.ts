/**
 * @module test/integration/service/tls-minimum.test
 * The service's HTTPS listener speaks TLS 1.2 at least and prefers 1.3 (docs/security.md
 * "Transport"): a TLS 1.1 handshake is refused by the service (a protocol_version alert, not
 * the client's own refusal), a 1.2-only client is served, a default client negotiates 1.3.
 * A control server that does allow TLS 1.1 shows the 1.1 client really offers 1.1, and the
 * built CLI keeps the minimum even when Node itself is told to allow 1.1 (NODE_OPTIONS).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type SecureVersion, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../../../src/service/service-runner.js';
import { makeLoopbackCertificate } from '../../helpers/test-certificate.js';

// OpenSSL 3 keeps TLS 1.0/1.1 only at security level 0; the client must be allowed to try.
const LEGACY_CIPHERS = 'DEFAULT:@SECLEVEL=0';

const dir = mkdtempSync(join(tmpdir(), 'mesh-tls-min-'));
let cert: string;
let key: string;
let running: RunningService;
let control: Server;
const children: ChildProcess[] = [];

beforeAll(async () => {
  const { cert: certFile, key: keyFile } = makeLoopbackCertificate(dir);
  cert = readFileSync(certFile, 'utf8');
  key = readFileSync(keyFile, 'utf8');
  running = await startService({
    dataDirectory: join(dir, 'data'),
    listen: { host: '127.0.0.1', port: 0 },
    maintenanceIntervalMs: 0,
    tls: { cert: new TextEncoder().encode(cert), key: new TextEncoder().encode(key) },
  });
  control = createServer({ cert, key, minVersion: 'TLSv1', ciphers: LEGACY_CIPHERS }, (socket) => socket.end());
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await running?.close();
  await new Promise((resolve) => control?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function handshake(port: number, versions: { min?: SecureVersion; max?: SecureVersion }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      ca: cert,
      ...(versions.min === undefined ? {} : { minVersion: versions.min }),
      ...(versions.max === undefined ? {} : { maxVersion: versions.max }),
      ...(versions.max === 'TLSv1.1' ? { ciphers: LEGACY_CIPHERS } : {}),
    });
    socket.once('secureConnect', () => {
      const protocol = socket.getProtocol() ?? 'none';
      socket.destroy();
      resolve(protocol);
    });
    socket.once('error', reject);
  });
}

describe('TLS versions of the service listener', () => {
  it('the TLS 1.1 client is a real one: a server that allows 1.1 negotiates it', async () => {
    expect(await handshake((control.address() as { port: number }).port, { min: 'TLSv1.1', max: 'TLSv1.1' })).toBe(
      'TLSv1.1',
    );
  });

  it('refuses a TLS 1.1 handshake with a protocol_version alert', async () => {
    await expect(handshake(running.server.address.port, { min: 'TLSv1.1', max: 'TLSv1.1' })).rejects.toMatchObject({
      code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
    });
  });

  it('`mesh service start` keeps TLS 1.2 as its minimum even under NODE_OPTIONS=--tls-min-v1.1', async () => {
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    const child = spawn(
      process.execPath,
      [
        'dist/mesh.mjs',
        'service',
        'start',
        '--data',
        join(dir, 'cli-data'),
        '--listen',
        '127.0.0.1:0',
        '--tls-cert',
        certFile,
        '--tls-key',
        keyFile,
        '--json',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env['PATH'] ?? '', NODE_OPTIONS: '--tls-min-v1.1' },
      },
    );
    children.push(child);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0] as string) as { listening: string }).listening);
      });
      child.once('exit', (code) => reject(new Error(`service exited ${code}`)));
    });
    const port = Number(new URL(url).port);
    await expect(handshake(port, { min: 'TLSv1.1', max: 'TLSv1.1' })).rejects.toMatchObject({
      code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
    });
    expect(await handshake(port, { min: 'TLSv1.2', max: 'TLSv1.2' })).toBe('TLSv1.2');
  });

  it('serves a TLS 1.2-only client, and a default client gets TLS 1.3', async () => {
    expect(await handshake(running.server.address.port, { min: 'TLSv1.2', max: 'TLSv1.2' })).toBe('TLSv1.2');
    expect(await handshake(running.server.address.port, {})).toBe('TLSv1.3');
  });
});
