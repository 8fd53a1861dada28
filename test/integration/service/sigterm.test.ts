/**
 * @module test/integration/service/sigterm.test
 * `mesh service start` as a child process of the built CLI: it prints one
 * line with its URL when ready, and on SIGTERM finishes the request in flight (here one whose
 * body is still arriving when the signal lands), closes the store and exits 0. A restart on
 * the same data directory keeps the service identity, whose seed file is 0600.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { post } from './service-harness.js';

const directories: string[] = [];
afterAll(async () => {
  for (const d of directories) await rm(d, { recursive: true, force: true });
});

function startChild(data: string): Promise<{ child: ChildProcess; url: string; exit: Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    ['dist/mesh.mjs', 'service', 'start', '--data', data, '--listen', '127.0.0.1:0', '--json'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '' },
    },
  );
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line !== undefined)
        resolve({ child, url: (JSON.parse(line) as { listening: string }).listening, exit });
    });
    child.once('exit', (code) => reject(new Error(`service exited ${code} before it was ready: ${err}`)));
  });
}

describe('mesh service start (child process)', () => {
  it('finishes the in-flight request on SIGTERM and exits 0; identity persists', async () => {
    const data = await mkdtemp(join(tmpdir(), 'mesh-sigterm-'));
    directories.push(data);
    const { child, url, exit } = await startChild(data);
    const first = await post(url, { HelloRequest: {} });
    expect(first.body['Status']).toBe(201);
    expect((await stat(join(data, 'service-seed'))).mode & 0o777).toBe(0o600);

    const body = Buffer.from('{"ValidateRequest": {"Account": "alice@example.com", "Language": ["en-uk"]}}');
    const target = new URL(url);
    const reply = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-length': body.length, 'content-type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 20));
      // The signal lands while the body is still arriving; the rest follows 300 ms later.
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.subarray(20)), 300);
      }, 100);
    });
    const answered = await reply;
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.text)).toMatchObject({ ValidateResponse: { Status: 201, Valid: true } });
    expect(await exit).toBe(0);
    // New connections are refused once it has stopped.
    await expect(fetch(url, { method: 'POST', body: '{"HelloRequest":{}}' })).rejects.toThrow();

    const again = await startChild(data);
    const hello = await post(again.url, { HelloRequest: {} });
    expect(hello.body['EnvelopedProfileService']).toEqual(first.body['EnvelopedProfileService']);
    again.child.kill('SIGINT');
    expect(await again.exit).toBe(0);
  });
});
