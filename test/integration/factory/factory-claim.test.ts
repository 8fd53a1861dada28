/**
 * @module test/integration/factory/factory-claim.test
 * A factory device claimed end to end: `mesh factory batch` against a real
 * loopback service, a label decoded with jsQR, `mesh device claim <decoded uri>` by the
 * owner, and the real agent booted from that device's preconfiguration connects to the
 * owner (its status says connected). Wrong, altered and mismatched labels are refused with
 * their reason, and a maker service that answers with another device's record is caught.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentProcess, runAgentCli, stopAllAgents, tempDirectory, writeConfig } from '../../helpers/agent-process.js';
import { runMesh } from '../../helpers/run-cli.js';
import { ownerJson, startTestService, type TestService } from '../owner/owner-harness.js';
import { startProxy } from './factory-harness.js';
import { decodeWithJsqr, decodeWithZbar } from './label-decode.js';

let service: TestService;
let dir: string;
const cleanup: Array<() => Promise<void>> = [];
beforeAll(async () => {
  service = await startTestService();
  dir = await tempDirectory('mesh-factory-claim-');
});
afterAll(async () => {
  await stopAllAgents();
  for (const c of cleanup) await c();
  await service.close();
  await rm(dir, { recursive: true, force: true });
});

type Device = {
  index: number;
  deviceUdf: string;
  connectUri: string;
  preconfiguration: string;
  publication: string;
  label: string;
};

describe('batch -> label -> mesh device claim -> agent connects', () => {
  it('claims a decoded label and the agent booted from that device connects to the claimant', async () => {
    for (const name of ['maker', 'bob'])
      await ownerJson(join(dir, name), 'account', 'create', `${name}@example.com`, '--service', service.url);
    const out = join(dir, 'batch');
    const made = await runMesh([
      'factory',
      'batch',
      '--maker',
      'maker@example.com',
      '--service',
      service.url,
      '--count',
      '3',
      '--out',
      out,
      '--home',
      join(dir, 'maker'),
      '--description',
      'Thermostat',
      '--json',
    ]);
    expect(made.status, made.stderr).toBe(0);
    const devices = (JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { devices: Device[] }).devices;
    const device = devices[1] as Device;

    // The owner scans the label: the URI comes from the image, not from the manifest.
    const uri = decodeWithJsqr(readFileSync(join(out, device.label))) as string;
    expect(uri).toBe(device.connectUri);
    expect(decodeWithZbar(join(out, device.label))).toBe(uri);

    const config = await writeConfig(dir, {
      stateDirectory: join(dir, 'state'),
      preconfiguration: join(out, device.preconfiguration),
      claims: { account: 'maker@example.com', service: service.url },
      keystore: 'file',
      polling: { initialDelaySeconds: 0.1, maxDelaySeconds: 0.3, jitter: 0, honorRetryAfter: false },
    });
    const agent = new AgentProcess(config);
    await agent.waitFor(new RegExp(`SHOW connect-uri ${uri.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));

    const bob = join(dir, 'bob');
    const claimed = await runMesh([
      'device',
      'claim',
      uri,
      '--maker-service',
      service.url,
      '--roles',
      'thermostat',
      '--fingerprint',
      device.deviceUdf.slice(0, 14),
      '--home',
      bob,
      '--json',
    ]);
    expect(claimed.status, claimed.stderr).toBe(0);
    // The fingerprint is shown (stderr) before the accept, and is the label's.
    // The fingerprint line holds only the UDF the CLI computed; the device's own words follow on their own line.
    expect(claimed.stderr.split('\n')[0]).toBe(`device fingerprint ${device.deviceUdf}`);
    expect(claimed.stderr.split('\n')[1]).toMatch(/^description\s+Thermostat \(as the device describes itself\)$/);
    expect(JSON.parse(claimed.stdout)).toMatchObject({
      deviceUdf: device.deviceUdf,
      description: 'Thermostat',
      maker: 'maker@example.com',
      roles: ['thermostat'],
    });

    await agent.waitFor(/SHOW connected bob@example.com/);
    const status = JSON.parse(runAgentCli(['status', '--json', '--config', config]).stdout) as {
      owners: Array<{ account: string; state: string; origin: string; roles?: string[] }>;
    };
    expect(status.owners.map((o) => [o.account, o.state, o.origin])).toEqual([
      ['bob@example.com', 'connected', 'claim'],
    ]);
    expect(status.owners[0]?.roles).toEqual(['thermostat']);

    const list = await ownerJson<{
      devices: Array<{ deviceUdf: string; status: string; serviceStatus: string; roles: string[] }>;
    }>(bob, 'device', 'list');
    expect(list.devices.map((d) => [d.deviceUdf, d.status, d.serviceStatus, d.roles])).toEqual([
      [device.deviceUdf, 'Connected', 'Connected', ['thermostat']],
    ]);
    expect(await agent.stop()).toBe(0);
    expect(agent.stderr.join('')).toBe('');
  });

  it('refuses wrong and altered label URIs with their reason, accepting nothing', async () => {
    const bob = join(dir, 'bob');
    const out = join(dir, 'batch');
    const devices = (JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { devices: Device[] }).devices;
    const uri = (devices[2] as Device).connectUri;
    const keyStart = uri.lastIndexOf('/') + 1;
    // One Base32 character of the key changed (not the last, whose low bits are padding).
    const altered = uri.slice(0, keyStart + 3) + (uri[keyStart + 3] === 'A' ? 'B' : 'A') + uri.slice(keyStart + 4);
    const devicesBefore = readFileSync(join(bob, 'devices.json'), 'utf8');
    const claim = (...args: string[]) =>
      runMesh(['device', 'claim', ...args, '--maker-service', service.url, '--home', bob]);

    const cases: Array<[string[], number, RegExp]> = [
      [[altered], 1, /the maker's service knows no device for this label .*Status 404/],
      [
        [uri.replace('maker@example.com', 'other@example.com')],
        1,
        /knows no device for this label .*not other@example.com's/,
      ],
      [
        [uri, '--fingerprint', (devices[0] as Device).deviceUdf],
        1,
        /has fingerprint .* not .*: not accepted \(compare with the fingerprint printed on the label\)/,
      ],
      [['mcu://maker@example.com/AAQM-2AAA-AAAA-AAAA-AAAA-AAAA'], 2, /<mcu-uri>: /],
      [['https://maker.example.com/EBQA'], 2, /<mcu-uri>: "uri" scheme expected "mcu"/],
      [[uri.slice(0, keyStart)], 2, /<mcu-uri>: "uri" key is empty/],
      [[uri + '?x=1'], 2, /<mcu-uri>: "uri" must not have a query or fragment/],
      [[], 2, /<mcu-uri>: is required/],
      [[uri, '--roles', 'bad role'], 2, /--roles: /],
      [[uri, '--fingerprint', 'MB'], 2, /--fingerprint: expected at least 8 characters/],
    ];
    for (const [args, status, message] of cases) {
      const r = await claim(...args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(status);
      expect(r.stderr).toMatch(message);
    }
    const badService = await runMesh(['device', 'claim', uri, '--maker-service', 'ftp://x', '--home', bob]);
    expect(badService.status).toBe(2);
    expect(badService.stderr).toMatch(/--maker-service: /);
    // The PIN form of an mcu:// URI is for `mesh-agent`, not a label.
    const pin = await ownerJson<{ uri: string }>(bob, 'account', 'pin');
    const r = await claim(pin.uri);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/<mcu-uri>: is a PIN URI/);
    expect(readFileSync(join(bob, 'devices.json'), 'utf8')).toBe(devicesBefore);
  });

  it("catches a maker service that answers with another device's claim record", async () => {
    const bob = join(dir, 'bob');
    const out = join(dir, 'batch');
    const devices = (JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { devices: Device[] }).devices;
    const other = JSON.parse(readFileSync(join(out, (devices[0] as Device).publication), 'utf8'));
    const proxy = await startProxy(service.url, async (name) =>
      name === 'Claim'
        ? { status: 200, body: JSON.stringify({ ClaimResponse: { Status: 201, CatalogedPublication: other } }) }
        : undefined,
    );
    cleanup.push(() => proxy.close());
    const before = readFileSync(join(bob, 'devices.json'), 'utf8');
    const r = await runMesh([
      'device',
      'claim',
      (devices[2] as Device).connectUri,
      '--maker-service',
      proxy.url,
      '--home',
      bob,
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /answered with a claim record this label does not open \(.*"CatalogedPublication.Id" is not the PublicationId of the ConnectUri/,
    );
    expect(r.stderr).not.toMatch(/device fingerprint/);
    expect(readFileSync(join(bob, 'devices.json'), 'utf8')).toBe(before);
  });
});
