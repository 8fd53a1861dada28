/**
 * @module test/integration/service/tls.test
 * `mesh service start --tls-cert --tls-key` serves HTTPS, and the owner CLI
 * talks to it over TLS, trusting the certificate through NODE_EXTRA_CA_CERTS exactly as an
 * operator with a private CA would. The certificate is a fresh self-signed one for 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeLoopbackCertificate } from '../../helpers/test-certificate.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-tls-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

function startService(cert: string, key: string): Promise<string> {
  const child = spawn(
    process.execPath,
    [
      'dist/mesh.mjs',
      'service',
      'start',
      '--data',
      join(dir, 'data'),
      '--listen',
      '127.0.0.1:0',
      '--tls-cert',
      cert,
      '--tls-key',
      key,
      '--json',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '' } },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0] as string) as { listening: string }).listening);
    });
    child.once('exit', (code) => reject(new Error(`service exited ${code}: ${err}`)));
  });
}

function postTls(url: string, body: string, ca: string): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        ca,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the service over TLS', () => {
  it('answers over HTTPS, refuses an untrusted client, and serves the owner CLI', async () => {
    const { cert, key } = makeLoopbackCertificate(dir);
    const url = await startService(cert, key);
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/\.well-known\/mmm\/$/);
    const ca = readFileSync(cert, 'utf8');

    const reply = await postTls(
      url,
      '{"ValidateRequest": {"Account": "alice@example.com", "Language": ["en-uk"]}}',
      ca,
    );
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text).ValidateResponse).toMatchObject({ Status: 201, Valid: true });

    // Without the certificate in its trust store, a client refuses the connection.
    await expect(postTls(url, '{"HelloRequest": {}}', '')).rejects.toThrow();

    const env = { PATH: process.env['PATH'] ?? '', NODE_EXTRA_CA_CERTS: cert };
    const created = spawnSync(
      process.execPath,
      [
        'dist/mesh.mjs',
        'account',
        'create',
        'alice@example.com',
        '--service',
        url,
        '--home',
        join(dir, 'alice'),
        '--json',
      ],
      { env, encoding: 'utf8' },
    );
    expect(created.status, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ account: 'alice@example.com' });
    const status = spawnSync(
      process.execPath,
      ['dist/mesh.mjs', 'account', 'status', '--home', join(dir, 'alice'), '--json'],
      { env, encoding: 'utf8' },
    );
    expect(JSON.parse(status.stdout)).toMatchObject({ registered: true, reachable: true });
  });

  it('refuses to start with a missing certificate file, naming the argument', () => {
    const r = spawnSync(
      process.execPath,
      [
        'dist/mesh.mjs',
        'service',
        'start',
        '--data',
        join(dir, 'd2'),
        '--listen',
        '127.0.0.1:0',
        '--tls-cert',
        join(dir, 'nope.pem'),
        '--tls-key',
        join(dir, 'nope.key'),
      ],
      { encoding: 'utf8', timeout: 10_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--tls-cert');
  });
});
