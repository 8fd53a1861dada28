/**
 * @module test/unit/cli/owner-args
 * Bad input to the owner commands: every case exits 2 with one line naming the argument,
 * before any file or network is touched; a missing, corrupt or insecure home is a clear
 * one-line error too (the built binary's own output: test/integration/cli/mesh-binary).
 */
import { chmod, mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMesh } from '../../helpers/run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-owner-args-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectUsageError(result: { status: number; stdout: string; stderr: string }, argument: string) {
  expect(result.status, result.stderr).toBe(2);
  expect(result.stderr).toContain(argument);
  expect(result.stderr.split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stdout).toBe('');
}

describe('owner commands: argument errors name the argument (exit 2)', () => {
  const home = () => ['--home', join(dir, 'unused')];

  it('account create', async () => {
    expectUsageError(await runMesh(['account', 'create', '--service', 'http://127.0.0.1:1', ...home()]), '<account>');
    expectUsageError(
      await runMesh(['account', 'create', 'alice', '--service', 'http://127.0.0.1:1', ...home()]),
      '<account>',
    );
    expectUsageError(
      await runMesh(['account', 'create', 'a@b.c', 'x@y.z', '--service', 'http://127.0.0.1:1', ...home()]),
      '<account>',
    );
    expectUsageError(await runMesh(['account', 'create', 'alice@example.com', ...home()]), '--service');
    expectUsageError(
      await runMesh(['account', 'create', 'alice@example.com', '--service', 'ftp://x', ...home()]),
      '--service',
    );
    expectUsageError(
      await runMesh(['account', 'create', 'alice@example.com', '--service', 'nope', ...home()]),
      '--service',
    );
    expectUsageError(
      await runMesh(['account', 'create', 'alice@example.com', '--service', 'http://x', '--home', '']),
      '--home',
    );
    expectUsageError(
      await runMesh(['account', 'create', 'alice@example.com', '--service', 'http://x', '--bogus']),
      '--bogus',
    );
  });

  it('account pin', async () => {
    for (const bad of ['5x', '1', '0m', '59s', '31d', '-1h', 'h']) {
      expectUsageError(await runMesh(['account', 'pin', '--expires', bad, ...home()]), '--expires');
    }
    for (const bad of ['a,,b', 'a,a', '1abc', 'a b', ',', 'x'.repeat(70)]) {
      expectUsageError(await runMesh(['account', 'pin', '--roles', bad, ...home()]), '--roles');
    }
    expectUsageError(await runMesh(['account', 'pin', 'extra', ...home()]), 'extra');
  });

  it('device accept, reject and revoke', async () => {
    expectUsageError(await runMesh(['device', 'accept', ...home()]), '<witness-or-device-udf>');
    expectUsageError(await runMesh(['device', 'accept', 'ABCD-EFG', ...home()]), '<witness-or-device-udf>');
    expectUsageError(await runMesh(['device', 'accept', 'ABCD-EFGH-!!', ...home()]), '<witness-or-device-udf>');
    expectUsageError(await runMesh(['device', 'accept', 'ABCDEFGH', 'IJKLMNOP', ...home()]), '<witness-or-device-udf>');
    expectUsageError(await runMesh(['device', 'accept', 'ABCDEFGH', '--roles', 'x,x', ...home()]), '--roles');
    expectUsageError(await runMesh(['device', 'reject', ...home()]), '<witness-or-device-udf>');
    expectUsageError(await runMesh(['device', 'reject', 'ABC', ...home()]), '<witness-or-device-udf>');
    expectUsageError(await runMesh(['device', 'revoke', ...home()]), '<device-udf>');
    expectUsageError(await runMesh(['device', 'revoke', 'M0', ...home()]), '<device-udf>');
    expectUsageError(await runMesh(['device', 'pending', 'extra', ...home()]), 'extra');
    expectUsageError(await runMesh(['device', 'list', 'extra', ...home()]), 'extra');
  });

  it('asks for --home when neither $XDG_DATA_HOME nor $HOME is usable', async () => {
    // runMesh passes an empty environment.
    expectUsageError(await runMesh(['account', 'status']), '--home');
  });
});

describe('owner commands: unusable home (exit 2, one clear line)', () => {
  it('a missing home says how to create a profile', async () => {
    const r = await runMesh(['account', 'status', '--home', join(dir, 'missing')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^mesh account status: no owner profile at .*missing: run "mesh account create/);
  });

  it('a corrupt profile file is named', async () => {
    const home = join(dir, 'corrupt');
    await mkdir(home, { mode: 0o700 });
    await writeFile(join(home, 'profile.json'), '{"Format":"mesh-owner-profile/1","Acc', { mode: 0o600 });
    const r = await runMesh(['device', 'list', '--home', home]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/profile\.json is not valid JSON/);
    expect(r.stderr.split('\n')).toHaveLength(1);
  });

  it('a home readable by others is refused, with the chmod that fixes it', async () => {
    const home = join(dir, 'open');
    await mkdir(home, { mode: 0o700 });
    await writeFile(join(home, 'profile.json'), '{}', { mode: 0o600 });
    await chmod(home, 0o755);
    const r = await runMesh(['device', 'pending', '--home', home]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`chmod 700 ${home}`);
  });
});
