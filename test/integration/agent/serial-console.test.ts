/**
 * @module test/integration/agent/serial-console.test
 * The serial console and status LED of the real agent process: the agent
 * (the built agent, with the LED's sysfs passed in) writes to one end of a socat pty pair and the test reads the other.
 * The identity block shows the device UDF, the ConnectUri, alice's witness and its check code,
 * and a QR code that decodes to the ConnectUri; each matches `mesh-agent status --json` and
 * the owner's `mesh device pending --json` (witness and checkCode). Alice accepts: the console
 * says so and redraws. The LED (a fake sysfs tree, test/helpers/agent-with-ports) is taken from its
 * trigger while the agent runs and given back at stop. No seed appears on the console or in
 * the log. A console device that does not exist yet is logged and retried; the agent runs on,
 * and the block appears once the device does.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCode } from '../../../src/agent/check-code.js';
import { toHex } from '../../../src/crypto/bytes.js';
import { base64urlEncode } from '../../../src/mesh/encoding/base64url.js';
import { parseDerivedKeySeed } from '../../../src/mesh/udf/derived-key-seed.js';
import { openSerialPortLink, type SerialLink } from '../../../src/platform/serial/serial-port-link.js';
import {
  AgentProcess,
  runAgentCli,
  stopAllAgents,
  tempDirectory,
  withPorts,
  writeConfig,
} from '../../helpers/agent-process.js';
import { factoryFileText } from '../../helpers/agent-fixtures.js';
import { startPtyPair, stopAllPtyPairs } from '../../helpers/socat.js';
import { waitFor } from '../../helpers/system-tools.js';
import { decodeTerminalQr } from '../../helpers/terminal-qr.js';
import { owner, ownerJson, startTestService, type TestService } from '../owner/owner-harness.js';

let service: TestService;
const directories: string[] = [];
const links: SerialLink[] = [];

beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  for (const l of links) await l.close().catch(() => undefined);
  await stopAllAgents();
  await stopAllPtyPairs();
  await service.close();
  for (const d of directories) await rm(d, { recursive: true, force: true });
});

/** Every form a seed could leak in: the UDF string, and its bytes in hex and base64url. */
function forms(seed: string): string[] {
  const { ikm, secret } = parseDerivedKeySeed(seed);
  return [seed, seed.replaceAll('-', ''), toHex(secret), base64urlEncode(secret), toHex(ikm), base64urlEncode(ikm)];
}

class ConsoleReader {
  readonly lines: string[] = [];
  constructor(readonly link: SerialLink) {
    link.onLine((line) => this.lines.push(line));
    links.push(link);
  }

  /** The first complete block from line `from` on whose lines all match `must`. */
  async block(must: RegExp[] = [], from = 0, timeoutMs = 20_000): Promise<{ lines: string[]; end: number }> {
    let found: { lines: string[]; end: number } | undefined;
    const ok = await waitFor(async () => {
      for (let i = from; i < this.lines.length && found === undefined; i++) {
        if (!this.lines[i]!.startsWith('==== mesh-agent')) continue;
        const end = this.lines.indexOf('==== end ====', i);
        if (end < 0) break;
        const lines = this.lines.slice(i, end + 1);
        if (must.every((m) => lines.some((l) => m.test(l)))) found = { lines, end };
      }
      return found !== undefined;
    }, timeoutMs);
    if (!ok || found === undefined)
      throw new Error(`no console block with ${must.join(', ')}:\n${this.lines.join('\n')}`);
    return found;
  }

  field(lines: string[], name: string): string | undefined {
    return lines.find((l) => l.startsWith(name.padEnd(12)))?.slice(12);
  }
}

function fakeLed(root: string): string {
  const dir = join(root, 'class/leds/ACT');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'trigger'), 'none timer heartbeat [mmc0]\n');
  writeFileSync(join(dir, 'brightness'), '0\n');
  writeFileSync(join(dir, 'max_brightness'), '1\n');
  return dir;
}

describe('mesh-agent serial console and status LED', () => {
  it('shows UDF, ConnectUri, witness and check code, and a QR code, matching status and the owner CLI; no seed', async () => {
    const dir = await tempDirectory('mesh-agent-console-');
    directories.push(dir);
    const aliceHome = join(dir, 'alice');
    await ownerJson(aliceHome, 'account', 'create', 'alice@example.com', '--service', service.url);
    const factory = factoryFileText();
    const medk = join(dir, 'device.medk');
    await writeFile(medk, factory.text, { mode: 0o600 });
    const sysfs = join(dir, 'sys');
    const ledDir = fakeLed(sysfs);

    const pty = await startPtyPair(dir);
    const reader = new ConsoleReader(await openSerialPortLink(pty.b, 115200));
    const config = await writeConfig(dir, {
      stateDirectory: join(dir, 'state'),
      preconfiguration: medk,
      owners: [{ account: 'alice@example.com', service: service.url }],
      keystore: 'file',
      polling: { initialDelaySeconds: 0.1, maxDelaySeconds: 0.4, jitter: 0.1, honorRetryAfter: false },
      led: { driver: 'sysfs-led', name: 'ACT' },
      serial: { console: pty.ptyA, baudRate: 115200 },
    });

    const agent = new AgentProcess(config, {}, withPorts({ sysfs }));
    const { lines: block, end } = await reader.block([/^witness +\S+ for alice@example.com, check code \d{4}$/]);
    const witnessLine = /^(\S+) for alice@example.com, check code (\d{4})$/.exec(reader.field(block, 'witness') ?? '');
    expect(witnessLine).not.toBeNull();
    const [, witness, code] = witnessLine as RegExpExecArray;

    // The same identity from status, and from the owner's side.
    const status = JSON.parse(runAgentCli(['status', '--json', '--config', config]).stdout) as {
      device: { udf: string; connectUri: string };
      owners: Array<{ account: string; state: string; witness?: string }>;
    };
    expect(reader.field(block, 'device')).toBe(status.device.udf);
    expect(status.device.udf).toBe(factory.made.deviceUdf);
    expect(reader.field(block, 'connect uri')).toBe(status.device.connectUri);
    expect(reader.field(block, 'mode')).toBe('factory');
    expect(status.owners.find((o) => o.account === 'alice@example.com')?.witness).toBe(witness);
    const pending = await ownerJson<{ pending: Array<{ witness: string; checkCode: string | null }> }>(
      aliceHome,
      'device',
      'pending',
    );
    expect(pending.pending.map((p) => [p.witness, p.checkCode])).toEqual([[witness, code]]);
    expect(code).toBe(checkCode(witness!));
    expect(reader.field(block, 'led')).toBe(`waiting (check code ${code})`);

    // The QR code on the console decodes to the ConnectUri.
    const qrRows = block.slice(
      block.findIndex((l) => l.startsWith('led ')) + 1,
      block.findIndex((l) => l.startsWith('qr ')),
    );
    expect(qrRows.length).toBeGreaterThan(10);
    expect(decodeTerminalQr(qrRows)).toBe(status.device.connectUri);

    // The log: the check code beside the witness, and the console's identity and QR.
    await agent.waitFor(new RegExp(`SHOW check-code ${code} for alice@example.com .*witness=${witness}`));
    await agent.waitFor(new RegExp(`CONSOLE witness +${witness} for alice@example.com, check code ${code}`));
    await agent.waitFor(new RegExp(`CONSOLE qr ${status.device.connectUri}`));
    await agent.waitFor(/status LED kernel LED .*class\/leds\/ACT/);
    // The LED is the agent's while it runs: trigger none, and it blinks.
    expect(readFileSync(join(ledDir, 'trigger'), 'utf8')).toBe('none');
    const seen = new Set<string>();
    await waitFor(
      async () => {
        // A plain file is truncated before it is written (sysfs is not): an empty read is that.
        const value = readFileSync(join(ledDir, 'brightness'), 'utf8');
        if (value !== '') seen.add(value);
        return seen.size === 2;
      },
      5000,
      20,
    );
    expect([...seen].sort()).toEqual(['0', '1']);

    // Alice compares and accepts: the console says so and redraws.
    expect((await owner(aliceHome, 'device', 'accept', witness!)).status).toBe(0);
    const after = await reader.block([/^owner +alice@example.com: connected$/], end + 1);
    expect(reader.lines).toContain('mesh-agent: alice@example.com: connected');
    expect(reader.field(after.lines, 'led')).toBe('connected');
    expect(after.lines.some((l) => l.startsWith('witness'))).toBe(false);

    // Enter on the console prints the block again.
    await reader.link.writeLine('');
    await reader.block([/^owner +alice@example.com: connected$/], after.end + 1);

    expect(await agent.stop()).toBe(0);
    // Given back: the previous trigger restored, the LED left off.
    expect(readFileSync(join(ledDir, 'trigger'), 'utf8')).toBe('mmc0');
    expect(readFileSync(join(ledDir, 'brightness'), 'utf8')).toBe('0');

    // No key material on the console or in the log.
    const secrets = join(dir, 'state', 'secrets');
    const seeds = [factory.seed];
    for (const name of await readdir(secrets))
      if (name.startsWith('activation')) seeds.push((await readFile(join(secrets, name), 'utf8')).trim());
    expect(seeds).toHaveLength(2);
    const consoleText = reader.lines.join('\n');
    const logText = agent.lines.join('\n');
    for (const seed of seeds) {
      for (const f of forms(seed)) {
        expect(consoleText).not.toContain(f);
        expect(logText).not.toContain(f);
      }
    }
    expect(consoleText).not.toMatch(/PrivateKey|seed|secret/i);
    expect(agent.stderr.join('')).toBe('');
    await pty.stop();
  });

  it('a console device that does not exist yet is logged and retried; the agent runs on and writes once it appears', async () => {
    const dir = await tempDirectory('mesh-agent-console-absent-');
    directories.push(dir);
    const deviceLink = `/dev/mesh-agent-test-console-${process.pid}-${Date.now()}`;
    const config = await writeConfig(dir, {
      stateDirectory: join(dir, 'state'),
      keystore: 'file',
      serial: { console: deviceLink },
      logging: { level: 'debug' },
    });
    const agent = new AgentProcess(config);
    await agent.waitFor(/SHOW fingerprint (\S+)/);
    await agent.waitFor(
      new RegExp(`warn: serial console ${deviceLink} unavailable: .*cannot open serial device.*; retrying in 2000 ms`),
    );
    await agent.waitFor(new RegExp(`debug: serial console ${deviceLink} unavailable: .*; retrying in 4000 ms`), 10_000);
    expect(agent.child.exitCode).toBeNull();

    const pty = await startPtyPair(dir, deviceLink, 'ttyB');
    try {
      const reader = new ConsoleReader(await openSerialPortLink(pty.b, 115200));
      // What the agent wrote before this end was opened is flushed by the open; Enter asks again.
      await reader.link.writeLine('');
      const { lines } = await reader.block([/^mode +self$/], 0, 20_000);
      const status = JSON.parse(runAgentCli(['status', '--json', '--config', config]).stdout) as {
        device: { udf: string };
      };
      expect(reader.field(lines, 'device')).toBe(status.device.udf);
      expect(reader.field(lines, 'led')).toBe('unprovisioned');
      // A self-keyed device has no ConnectUri: the QR code holds its UDF.
      const qrRows = lines.slice(
        lines.findIndex((l) => l.startsWith('led ')) + 1,
        lines.findIndex((l) => l.startsWith('qr ')),
      );
      expect(decodeTerminalQr(qrRows)).toBe(status.device.udf);
      await agent.waitFor(new RegExp(`serial console ${deviceLink} open`));
      expect(await agent.stop()).toBe(0);
    } finally {
      await pty.stop();
    }
  });
});
