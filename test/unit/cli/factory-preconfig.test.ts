import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyDevicePreconfiguration } from '../../../src/mesh/connect/device-preconfiguration.js';
import { publicationId, connectKey } from '../../../src/mesh/connect/static-qr.js';
import { runMesh } from '../../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-factory-'));

describe('mesh factory preconfig', () => {
  it('writes a 0600 preconfiguration whose seed regenerates its profile and ConnectUri', async () => {
    const out = join(dir, 'thermostat.medk');
    const r = await runMesh([
      'factory',
      'preconfig',
      '--maker',
      'maker@example.com',
      '--out',
      out,
      '--description',
      'thermostat',
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const verified = verifyDevicePreconfiguration(JSON.parse(readFileSync(out, 'utf8')));
    expect(verified.preconfiguration.ConnectUri).toBe(printed.connectUri);
    expect(printed.connectUri).toMatch(/^mcu:\/\/maker@example\.com\/E/);
    expect(printed.deviceUdf).toMatch(/^M[A-D]/);
    // The printed output never carries the seed.
    expect(r.stdout).not.toContain(verified.deviceSeed);
    expect(verified.publicationId).toBe(publicationId(connectKey(verified.deviceSeed, 'maker@example.com')));
  });

  it('makes a different device every time', async () => {
    const a = await runMesh([
      'factory',
      'preconfig',
      '--maker',
      'maker@example.com',
      '--out',
      join(dir, 'a.medk'),
      '--json',
    ]);
    const b = await runMesh([
      'factory',
      'preconfig',
      '--maker',
      'maker@example.com',
      '--out',
      join(dir, 'b.medk'),
      '--json',
    ]);
    expect(JSON.parse(a.stdout).deviceUdf).not.toBe(JSON.parse(b.stdout).deviceUdf);
  });

  it('names bad arguments', async () => {
    const r1 = await runMesh(['factory', 'preconfig', '--maker', 'maker', '--out', join(dir, 'x.medk')]);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toContain('--maker');
    const r2 = await runMesh(['factory', 'preconfig', '--maker', 'maker@example.com']);
    expect(r2.stderr).toContain('--out');
  });
});
