/**
 * @module test/integration/cli/mesh-binary
 * The built `mesh` binary (dist/mesh.mjs) as a child process: standard input, one line out,
 * exit statuses, help and version, and no stack trace reaching the terminal, for the core
 * commands and the owner commands alike. The commands themselves are unit-tested in process
 * (test/unit/cli/core-commands, owner-args).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMeshBinary } from '../../helpers/run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-binary-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the mesh binary', () => {
  it('reads standard input, prints one line, and exits 0', () => {
    const r = runMeshBinary(['udf', 'digest', '--content-type', 'text/plain', '-'], 'UDF Data Value');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('MDDK-7N6A-727A-JZNO-STRX-XKS7-DJAF\n');
  });

  it('exits 2 with a one-line message and no stack trace on bad input', () => {
    for (const args of [
      ['udf', 'digest', '--content-type', 'x', '/nonexistent/file'],
      ['udf', 'key', '--alg', 'x448', '--public', '!!'],
      ['key', 'derive', '--seed', 'not-a-seed', '--name', 'BaseDeviceSign'],
      ['udf', 'digest', '--unknown-flag'],
      ['no', 'such', 'command'],
    ]) {
      const r = runMeshBinary(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  });

  it('prints help and version', () => {
    expect(runMeshBinary(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = runMeshBinary(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('mesh key combine');
  });
});

describe('the mesh binary: owner commands', () => {
  it('the built binary prints no stack trace for these', () => {
    const r = runMeshBinary(['account', 'status', '--home', join(dir, 'missing')]);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const u = runMeshBinary(['device', 'accept', 'ABC', '--home', join(dir, 'missing')]);
    expect(u.status).toBe(2);
    expect(u.stderr).toContain('<witness-or-device-udf>');
  });
});
