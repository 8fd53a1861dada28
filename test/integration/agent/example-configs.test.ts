/**
 * @module test/integration/agent/example-configs.test
 * Every shipped example configuration works end to end (firmware-config/README.md): each file
 * of firmware-config/ is booted with the built agent (`node dist/mesh-agent.mjs run --config
 * …`), with only what cannot exist on a test machine rewritten: paths into a temp directory,
 * services to the project's own service on loopback (the owners and the maker are real
 * accounts there, and a PIN is one the owner really issued), serial devices to socat pty
 * pairs, the sysfs LED to a fake class directory, and polling shortened. Each reaches its
 * fingerprint display (the log's SHOW line, and the serial console's block where the example
 * has a console); where the example names owners, each owner sees the device's request
 * pending at the service with the witness the device shows; the factory example answers a
 * technician's ping on its provisioning port.
 */
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openSerialPortLink, type SerialLink } from '../../../src/platform/serial/serial-port-link.js';
import { factoryFileText } from '../../helpers/agent-fixtures.js';
import { AgentProcess, stopAllAgents, tempDirectory, withPorts, writeConfig } from '../../helpers/agent-process.js';
import { startPtyPair, stopAllPtyPairs } from '../../helpers/socat.js';
import { waitFor } from '../../helpers/system-tools.js';
import { ownerJson, startTestService, type TestService } from '../owner/owner-harness.js';

type Json = Record<string, any>;

/** The service of the current test: a fresh one each, since two examples name the same accounts. */
let service: TestService;
const services: TestService[] = [];
const directories: string[] = [];
const links: SerialLink[] = [];
beforeEach(async () => {
  service = await startTestService();
  services.push(service);
});
afterAll(async () => {
  for (const l of links) await l.close().catch(() => undefined);
  await stopAllAgents();
  await stopAllPtyPairs();
  for (const s of services) await s.close();
  for (const d of directories) await rm(d, { recursive: true, force: true });
});

async function example(name: string): Promise<Json> {
  return JSON.parse(await readFile(join('firmware-config', name), 'utf8')) as Json;
}

const FAST_POLLING = { initialDelaySeconds: 0.1, maxDelaySeconds: 0.4, jitter: 0.1, honorRetryAfter: false };

/** Creates each owner's account on the loopback service; a PIN in the example is replaced by one the owner issues, in the same form. */
async function localOwners(dir: string, owners: Json[]): Promise<{ owners: Json[]; homes: Map<string, string> }> {
  const homes = new Map<string, string>();
  const out: Json[] = [];
  for (const o of owners) {
    const account = o['account'] as string;
    const home = join(dir, account.replace(/[^a-z0-9]/gi, '_'));
    await ownerJson(home, 'account', 'create', account, '--service', service.url);
    homes.set(account, home);
    const local: Json = { ...o, service: service.url };
    if (typeof o['pin'] === 'string') {
      const issued = await ownerJson<{ pin: string }>(
        home,
        'account',
        'pin',
        ...(Array.isArray(o['roles']) && o['roles'].length > 0 ? ['--roles', (o['roles'] as string[]).join(',')] : []),
      );
      local['pin'] = (o['pin'] as string).startsWith('mcu://') ? `mcu://${account}/${issued.pin}` : issued.pin;
    }
    out.push(local);
  }
  return { owners: out, homes };
}

/** The first log line (JSON or text format) that shows the fingerprint; returns the UDF. */
async function fingerprintShown(agent: AgentProcess): Promise<string> {
  const m = await agent.waitFor(/SHOW fingerprint (M[A-Z0-9-]+)/, 30_000);
  return m[1] as string;
}

/** Each owner sees exactly one pending request, and its witness is one the device shows. */
async function pendingAtService(agent: AgentProcess, homes: Map<string, string>): Promise<void> {
  for (const [account, home] of homes) {
    const witness = (
      await agent.waitFor(new RegExp(`SHOW witness (\\S+?)"? for ${account.replace('.', '\\.')}`), 30_000)
    )[1] as string;
    let pending: Array<{ witness: string }> = [];
    const seen = await waitFor(
      async () => {
        pending = (await ownerJson<{ pending: Array<{ witness: string }> }>(home, 'device', 'pending')).pending;
        return pending.length > 0;
      },
      20_000,
      200,
    );
    expect(seen, `${account} sees a pending request`).toBe(true);
    expect(pending.map((p) => p.witness)).toEqual([witness]);
  }
}

describe('every shipped example configuration boots', () => {
  it('minimal.json: a self-keyed device with one owner shows its fingerprint; the request is pending at alice', async () => {
    const dir = await tempDirectory('mesh-example-minimal-');
    directories.push(dir);
    const doc = await example('minimal.json');
    const { owners, homes } = await localOwners(dir, doc['owners'] as Json[]);
    const config = await writeConfig(dir, {
      ...doc,
      stateDirectory: join(dir, 'state'),
      owners,
      polling: FAST_POLLING,
    });
    const agent = new AgentProcess(config);
    expect(await fingerprintShown(agent)).toMatch(/^M[A-Z0-9-]+$/);
    await pendingAtService(agent, homes);
    expect(await agent.stop()).toBe(0);
  });

  it('self-keyed-two-owners.json: file keystore, JSON logs, GPIO LED; both owners see the request pending', async () => {
    const dir = await tempDirectory('mesh-example-two-');
    directories.push(dir);
    const doc = await example('self-keyed-two-owners.json');
    const { owners, homes } = await localOwners(dir, doc['owners'] as Json[]);
    expect([...homes.keys()]).toEqual(['alice@example.com', 'bob@example.net']);
    const config = await writeConfig(dir, {
      ...doc,
      $schema: undefined,
      stateDirectory: join(dir, 'state'),
      owners,
      polling: FAST_POLLING,
    });
    const agent = new AgentProcess(config);
    await fingerprintShown(agent);
    // JSON format: every line is a JSON object.
    expect(agent.lines.length).toBeGreaterThan(0);
    for (const line of agent.lines) expect(() => JSON.parse(line), line).not.toThrow();
    await pendingAtService(agent, homes);
    expect(await agent.stop()).toBe(0);
  });

  it('thermostat-factory.json: the factory device shows its fingerprint on the console and in the log, and answers on its provisioning port', async () => {
    const dir = await tempDirectory('mesh-example-thermostat-');
    directories.push(dir);
    const doc = await example('thermostat-factory.json');
    const claims = doc['claims'] as Json;
    await ownerJson(join(dir, 'maker'), 'account', 'create', claims['account'] as string, '--service', service.url);
    const factory = factoryFileText(claims['account'] as string);
    const medk = join(dir, 'device.medk');
    await writeFile(medk, factory.text, { mode: 0o600 });
    const consolePair = await startPtyPair(dir, 'consoleA', 'consoleB');
    const provisioningPair = await startPtyPair(dir, 'provA', 'provB');
    const consoleLines: string[] = [];
    const consoleLink = await openSerialPortLink(consolePair.b, 115200);
    links.push(consoleLink);
    consoleLink.onLine((line) => consoleLines.push(line));
    // The sysfs LED the example names (ACT), as a fake class directory.
    const sysfs = join(dir, 'sys');
    const led = join(sysfs, 'class/leds', (doc['led'] as Json)['name'] as string);
    mkdirSync(led, { recursive: true });
    writeFileSync(join(led, 'trigger'), 'none timer heartbeat [mmc0]\n');
    writeFileSync(join(led, 'brightness'), '0\n');
    writeFileSync(join(led, 'max_brightness'), '1\n');
    const serial = doc['serial'] as Json;
    const config = await writeConfig(dir, {
      ...doc,
      $schema: undefined,
      stateDirectory: join(dir, 'state'),
      preconfiguration: medk,
      claims: { ...claims, service: service.url },
      polling: { ...(doc['polling'] as Json), ...FAST_POLLING },
      serial: { ...serial, console: realpathSync(consolePair.a), provisioning: realpathSync(provisioningPair.a) },
    });
    const agent = new AgentProcess(config, {}, withPorts({ sysfs }));
    expect(await fingerprintShown(agent)).toBe(factory.made.deviceUdf);
    const onConsole = await waitFor(
      async () => consoleLines.some((l) => l.startsWith('device') && l.endsWith(factory.made.deviceUdf)),
      20_000,
    );
    expect(onConsole, consoleLines.join('\n')).toBe(true);

    // The technician's port opens (it does not share the console's) and answers.
    await agent.waitFor(/serial provisioning listening on/, 20_000);
    const technician = await openSerialPortLink(provisioningPair.b, 115200);
    links.push(technician);
    const replies: Json[] = [];
    technician.onLine((line) => {
      try {
        replies.push(JSON.parse(line) as Json);
      } catch {
        // Not a protocol line; the assertion below says what was expected.
      }
    });
    await technician.writeLine('{"v":1,"id":"hello-thermostat","cmd":"info"}');
    const answered = await waitFor(async () => replies.some((r) => r['id'] === 'hello-thermostat'), 10_000);
    expect(answered).toBe(true);
    expect(replies.find((r) => r['id'] === 'hello-thermostat')).toMatchObject({
      ok: true,
      result: { device: factory.made.deviceUdf, mode: 'factory', makerAccount: claims['account'] },
    });
    expect(agent.lines.join('\n')).not.toMatch(/Cannot lock port/);
    expect(await agent.stop()).toBe(0);
  });
});
