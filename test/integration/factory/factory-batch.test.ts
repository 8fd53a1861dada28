/**
 * @module test/integration/factory/factory-batch.test
 * `mesh factory batch` against a real loopback service: every label decodes
 * back to its ConnectUri with jsQR and zbarimg (SVG through rsvg-convert), every .medk
 * holds together and matches the manifest, every publication is at the maker's service; a
 * run cut off by an unreachable service resumes without remaking devices; transient 503s
 * are retried; refusals and bad arguments exit 1 and 2 with the reason; progress lines.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFactoryBatch } from '../../../src/cli/commands/factory-batch.js';
import { defaultOwnerEnvironment } from '../../../src/cli/owner/owner-session.js';
import { openPublication } from '../../../src/mesh/connect/cataloged-publication.js';
import { verifyDevicePreconfiguration } from '../../../src/mesh/connect/device-preconfiguration.js';
import { MeshClient } from '../../../src/platform/http/mesh-client.js';
import { tempDirectory } from '../../helpers/agent-process.js';
import { runMesh } from '../../helpers/run-cli.js';
import { freePort } from '../../helpers/system-tools.js';
import { ownerJson, startTestService, type TestService } from '../owner/owner-harness.js';
import { runCommand, startProxy } from './factory-harness.js';
import { decodeWithJsqr, decodeWithZbar, rasteriseSvg, svgText } from './label-decode.js';

let service: TestService;
let dir: string;
let maker: string;
const cleanup: Array<() => Promise<void>> = [];

beforeAll(async () => {
  service = await startTestService();
  dir = await tempDirectory('mesh-factory-batch-');
  maker = join(dir, 'maker');
  await ownerJson(maker, 'account', 'create', 'maker@example.com', '--service', service.url);
});
afterAll(async () => {
  for (const c of cleanup) await c();
  await service.close();
  await rm(dir, { recursive: true, force: true });
});

interface Manifest {
  format: string;
  maker: string;
  devices: Array<{
    index: number;
    deviceUdf: string;
    connectUri: string;
    publicationId: string;
    published: boolean;
    preconfiguration: string;
    record: string;
    publication: string;
    label: string;
  }>;
}
const manifestOf = (out: string) => JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
const batch = (out: string, ...more: string[]) =>
  runMesh([
    'factory',
    'batch',
    '--maker',
    'maker@example.com',
    '--service',
    service.url,
    '--out',
    out,
    '--home',
    maker,
    ...more,
  ]);

describe('mesh factory batch', () => {
  it('makes N devices whose labels decode to their ConnectUri and whose claim records are at the maker service', async () => {
    const out = join(dir, 'run-png');
    const r = await batch(out, '--count', '3', '--description', 'Thermostat', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      count: 3,
      made: 3,
      published: 3,
      newlyMade: 3,
      newlyPublished: 3,
      resumed: false,
      maker: 'maker@example.com',
    });

    const manifest = manifestOf(out);
    expect(manifest.devices.map((d) => d.index)).toEqual([1, 2, 3]);
    const csv = readFileSync(join(out, 'manifest.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(
      'index,device_udf,connect_uri,publication_id,published,preconfiguration,record,publication,label',
    );
    expect(csv.slice(1)).toEqual(
      manifest.devices.map((d) =>
        [
          d.index,
          d.deviceUdf,
          d.connectUri,
          d.publicationId,
          d.published,
          d.preconfiguration,
          d.record,
          d.publication,
          d.label,
        ].join(','),
      ),
    );
    expect(new Set(manifest.devices.map((d) => d.deviceUdf)).size).toBe(3);

    const client = new MeshClient({ service: service.url });
    for (const d of manifest.devices) {
      // The label: QR code of the ConnectUri, decoded in process and by zbarimg.
      const label = join(out, d.label);
      expect(decodeWithJsqr(readFileSync(label))).toBe(d.connectUri);
      expect(decodeWithZbar(label)).toBe(d.connectUri);
      // The device's file holds together and is the manifest's device; only it holds the seed.
      const medk = join(out, d.preconfiguration);
      expect(statSync(medk).mode & 0o777).toBe(0o600);
      const verified = verifyDevicePreconfiguration(JSON.parse(readFileSync(medk, 'utf8')));
      expect([verified.profile.udf, verified.connectUri, verified.publicationId]).toEqual([
        d.deviceUdf,
        d.connectUri,
        d.publicationId,
      ]);
      expect(verified.profile.profile.Description).toBe('Thermostat');
      expect(readFileSync(join(out, d.record), 'utf8')).not.toContain(verified.deviceSeed);
      expect(readFileSync(join(out, 'manifest.json'), 'utf8')).not.toContain(verified.deviceSeed);
      // The claim record is at the maker's service, and the label's key opens what was published.
      const got = await client.get({ Identifier: d.publicationId });
      expect(got.DataItems[0]?.Type).toBe('CatalogedPublication');
      expect(openPublication(JSON.parse(readFileSync(join(out, d.publication), 'utf8')), d.connectUri).udf).toBe(
        d.deviceUdf,
      );
      expect(d.published).toBe(true);
    }
    for (const name of ['devices', 'records', 'publications', 'labels'])
      expect(statSync(join(out, name)).mode & 0o777).toBe(0o700);
  });

  it('draws SVG labels that decode after rsvg-convert, with the fingerprint as text', async () => {
    const out = join(dir, 'run-svg');
    const r = await batch(out, '--count', '2', '--format', 'svg', '--json');
    expect(r.status, r.stderr).toBe(0);
    for (const d of manifestOf(out).devices) {
      expect(d.label).toMatch(/\.svg$/);
      const svg = join(out, d.label);
      expect(svgText(readFileSync(svg, 'utf8'))).toBe(d.deviceUdf);
      const png = join(dir, `svg-${d.index}.png`);
      expect(decodeWithJsqr(rasteriseSvg(svg, png))).toBe(d.connectUri);
      expect(decodeWithZbar(png)).toBe(d.connectUri);
    }
  });

  it('resumes: a run cut off by an unreachable service keeps its devices, a rerun publishes them and adds the rest', async () => {
    const out = join(dir, 'run-resume');
    const down = `http://127.0.0.1:${await freePort()}/`;
    const fast = makeFactoryBatch({ ...defaultOwnerEnvironment, sleep: async () => undefined, timeoutMs: 2000 });
    const first = await runCommand(fast, [
      '--maker',
      'maker@example.com',
      '--service',
      down,
      '--count',
      '2',
      '--out',
      out,
      '--home',
      maker,
    ]);
    expect(first.status).toBe(1);
    expect(first.stderr).toMatch(
      /cannot reach the Mesh service at .*ECONNREFUSED.*\(0 of 2 published, \d made; rerun the same command to resume\)/,
    );
    expect(first.stderr).toMatch(/device 1: publish attempt 1 failed .* retrying in \d+ ms/);
    const before = readFileSync(join(out, 'progress.jsonl'), 'utf8');
    expect(before).not.toContain('Published');
    const madeBefore = manifestOf(out).devices.map((d) => d.deviceUdf);
    expect(madeBefore.length).toBeGreaterThanOrEqual(1);

    const second = await batch(out, '--count', '3', '--json');
    expect(second.status, second.stderr).toBe(0);
    const summary = JSON.parse(second.stdout);
    expect(summary).toMatchObject({
      resumed: true,
      made: 3,
      published: 3,
      newlyMade: 3 - madeBefore.length,
      newlyPublished: 3,
    });
    const after = manifestOf(out).devices;
    expect(after.slice(0, madeBefore.length).map((d) => d.deviceUdf)).toEqual(madeBefore);
    expect(after.every((d) => d.published)).toBe(true);

    const third = await batch(out, '--count', '3', '--json');
    expect(JSON.parse(third.stdout)).toMatchObject({ made: 3, published: 3, newlyMade: 0, newlyPublished: 0 });
    expect(manifestOf(out).devices.map((d) => d.deviceUdf)).toEqual(after.map((d) => d.deviceUdf));

    // A lost label is drawn again from the journal; a rerun asking for another batch is refused.
    await rm(join(out, after[1]!.label));
    expect((await batch(out, '--count', '3')).status).toBe(0);
    expect(decodeWithJsqr(readFileSync(join(out, after[1]!.label)))).toBe(after[1]!.connectUri);
    for (const [args, message] of [
      [['--count', '2'], /--count: .* already holds devices up to 3; expected at least 3, got 2/],
      [['--count', '3', '--bits', '128'], /--bits: .* holds a batch with ConnectKey bits 120, not 128/],
      [['--count', '3', '--format', 'svg'], /--format: .* label format "png", not "svg"/],
      [['--count', '3', '--description', 'Lamp'], /--description: /],
    ] as const) {
      const r = await batch(out, ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('retries Publish through transient 503s and reports progress while it runs', async () => {
    let publishes = 0;
    const proxy = await startProxy(service.url, async (name) => {
      if (name !== 'Publish' || ++publishes % 2 === 0) return undefined;
      return {
        status: 503,
        body: JSON.stringify({ PublishResponse: { Status: 503, StatusDescription: 'busy, try again' } }),
      };
    });
    cleanup.push(() => proxy.close());
    const out = join(dir, 'run-flaky');
    const command = makeFactoryBatch({ ...defaultOwnerEnvironment, progressIntervalMs: 0 });
    const r = await runCommand(command, [
      '--maker',
      'maker@example.com',
      '--service',
      proxy.url,
      '--count',
      '3',
      '--out',
      out,
      '--home',
      maker,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /publish attempt 1 failed \(Publish refused by .* with Status 503: busy, try again\); retrying in \d+ ms/,
    );
    const progress = r.stderr.split('\n').filter((l) => l.startsWith('factory batch: '));
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toMatch(/^factory batch: 3\/3 made, 3\/3 published \(100%\), [\d.]+ devices\/s$/);
    expect(r.stdout).toMatch(
      /^made 3 devices \(3 new\), published 3 \(3 new\) for maker@example.com -> .*manifest.csv$/,
    );
    expect(manifestOf(out).devices.every((d) => d.published)).toBe(true);
  });

  it('a service that refuses exits 1 with its reason; bad arguments exit 2 naming them', async () => {
    const other = await startTestService();
    cleanup.push(() => other.close());
    const refused = await runMesh([
      'factory',
      'batch',
      '--maker',
      'maker@example.com',
      '--service',
      other.url,
      '--count',
      '2',
      '--out',
      join(dir, 'run-refused'),
      '--home',
      maker,
    ]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /mesh factory batch: Publish refused by .* with Status 404: .*maker@example.com.* \(0 of 2 published/,
    );

    const out = join(dir, 'run-bad');
    const cases: Array<[string[], RegExp]> = [
      [['--service', service.url, '--count', '1', '--out', out, '--home', maker], /--maker: is required/],
      [
        ['--maker', 'maker', '--service', service.url, '--count', '1', '--out', out, '--home', maker],
        /--maker: "maker" expected user@domain/,
      ],
      [
        ['--maker', 'bob@example.com', '--service', service.url, '--count', '1', '--out', out, '--home', maker],
        /--maker: expected the account of --home \(maker@example.com\), got bob@example.com/,
      ],
      [['--maker', 'maker@example.com', '--count', '1', '--out', out, '--home', maker], /--service: is required/],
      [
        ['--maker', 'maker@example.com', '--service', 'ftp://x', '--count', '1', '--out', out, '--home', maker],
        /--service: .*http:\/\/ or https:\/\//,
      ],
      [
        ['--maker', 'maker@example.com', '--service', service.url, '--out', out, '--home', maker],
        /--count: is required/,
      ],
      [
        ['--maker', 'maker@example.com', '--service', service.url, '--count', '0', '--out', out, '--home', maker],
        /--count: expected an integer from 1 to 999999/,
      ],
      [
        ['--maker', 'maker@example.com', '--service', service.url, '--count', 'ten', '--out', out, '--home', maker],
        /--count: expected an integer/,
      ],
      [
        ['--maker', 'maker@example.com', '--service', service.url, '--count', '1', '--home', maker],
        /--out: is required/,
      ],
      [
        [
          '--maker',
          'maker@example.com',
          '--service',
          service.url,
          '--count',
          '1',
          '--out',
          out,
          '--home',
          maker,
          '--bits',
          '100',
        ],
        /--bits: expected a multiple of 8/,
      ],
      [
        [
          '--maker',
          'maker@example.com',
          '--service',
          service.url,
          '--count',
          '1',
          '--out',
          out,
          '--home',
          maker,
          '--format',
          'gif',
        ],
        /--format: expected one of png, svg/,
      ],
      [
        [
          '--maker',
          'maker@example.com',
          '--service',
          service.url,
          '--count',
          '1',
          '--out',
          out,
          '--home',
          join(dir, 'nobody'),
        ],
        /nobody/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runMesh(['factory', 'batch', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(join(out, 'progress.jsonl'))).toBe(false);
  });
});
