/**
 * @module test/integration/service/service-start-flags.test
 * `mesh service start --domain --rate-limit --trust-proxy` (docs/security.md "Rate limits",
 * "Account names and hosted domains"): bad values stop it before it listens, with a usage
 * error naming the flag; good ones reach the running service (the built CLI on loopback).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRequestConnection } from '../../../src/mesh/connect/request-connection.js';
import { runMesh } from '../../helpers/run-cli.js';
import { makeDevice, post } from './service-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-service-flags-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

function start(args: readonly string[]): Promise<string> {
  const child = spawn(
    process.execPath,
    ['dist/mesh.mjs', 'service', 'start', '--data', join(dir, 'data'), '--listen', '127.0.0.1:0', '--json', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '' },
    },
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

describe('mesh service start: front-door flags', () => {
  it('refuses bad --rate-limit, --domain and --trust-proxy values, naming the flag and the value', async () => {
    for (const [args, expected] of [
      [['--rate-limit', 'sideways'], /--rate-limit: rate limit setting "sideways": expected off, on, scale=F/],
      [['--rate-limit', 'Hello.source=1/1'], /--rate-limit: .*expected a class among ConnectStart/],
      [['--domain', 'not a domain'], /--domain: expected a DNS domain such as example.com, got "not a domain"/],
      [
        ['--trust-proxy', 'proxy.example.com'],
        /--trust-proxy: a trusted proxy must be an IP address, got "proxy.example.com"/,
      ],
    ] as const) {
      const result = await runMesh([
        'service',
        'start',
        '--data',
        join(dir, 'unused'),
        '--listen',
        '127.0.0.1:0',
        ...args,
      ]);
      expect({ args, status: result.status }).toEqual({ args, status: 2 });
      expect(result.stderr).toMatch(expected);
    }
  });

  it('runs with the domains and limits it was given', async () => {
    const url = await start([
      '--domain',
      'Example.COM',
      '--rate-limit',
      'ConnectStart.source=1/1',
      '--trust-proxy',
      '127.0.0.1',
    ]);
    const device = makeDevice(1);
    const request = createRequestConnection({
      deviceSeed: device.deviceSeed,
      accountAddress: 'nobody@example.com',
      random: device.random,
    });
    const body = {
      ConnectStartRequest: { AccountAddress: 'nobody@example.com', EnvelopedRequestConnection: request.json },
    };
    expect((await post(url, body)).body['Status']).toBe(404);
    expect((await post(url, body)).body).toMatchObject({ Status: 429, RetryAfter: 60 });
    // Through the trusted proxy, another client has its own bucket.
    expect((await post(url, body, { 'x-forwarded-for': '127.7.7.7' })).body['Status']).toBe(404);
    const elsewhere = await post(url, { ValidateRequest: { Account: 'alice@example.org' } });
    expect(elsewhere.body).toMatchObject({
      Valid: false,
      Reason: 'the account domain "example.org" is not hosted here (this service hosts example.com)',
    });
  });
});
