/**
 * @module test/integration/agent/serial-provisioning.test
 * Serial provisioning end to end: the real agent process (dist/mesh-agent.mjs)
 * listening on one end of a socat pty pair, the real technician CLI (dist/mesh.mjs serial)
 * on the other, a real loopback Mesh service and owners made with the owner CLI. With only
 * the serial line a technician reads the identity, connects alice (who accepts with
 * `mesh device accept`), approves bob's held claim of the label with the code the device
 * shows, unpairs alice leaving bob, sees a connect survive a restart, and factory-resets
 * (refused without the code). Then thousands of garbage lines, raw bytes and over-long lines:
 * the agent still answers ping and its state is unchanged. Every reply of the session is
 * searched for the device seed and each activation seed. The interactive mode is driven
 * through the CLI's standard input.
 */
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../../src/crypto/bytes.js';
import { base64urlEncode } from '../../../src/mesh/encoding/base64url.js';
import { parseDerivedKeySeed } from '../../../src/mesh/udf/derived-key-seed.js';
import { factoryFileText } from '../../helpers/agent-fixtures.js';
import { claimAndAccept, openOwner, publishDevice } from '../../helpers/agent-owner.js';
import { AgentProcess, stopAllAgents, tempDirectory, writeConfig } from '../../helpers/agent-process.js';
import { startPtyPair, stopAllPtyPairs, type PtyPair } from '../../helpers/socat.js';
import { owner, ownerJson, startTestService, type TestService } from '../owner/owner-harness.js';

let service: TestService;
const directories: string[] = [];
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await stopAllAgents();
  await stopAllPtyPairs();
  await service?.close();
  for (const d of directories) await rm(d, { recursive: true, force: true });
});

/** Every reply line the technician saw, searched for secrets at the end. */
const transcript: string[] = [];

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `mesh serial <port> …` as a child process (async: the agent is another process). */
function meshSerial(port: string, args: readonly string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/mesh.mjs', 'serial', port, ...args], {
      env: { PATH: process.env['PATH'] ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('exit', (code) => {
      transcript.push(stdout, stderr);
      resolve({ status: code ?? -1, stdout, stderr });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

type Json = Record<string, any>;

async function request(port: string, ...words: string[]): Promise<{ status: number; reply: Json; stderr: string }> {
  const run = await meshSerial(port, [...words, '--json']);
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  let reply: Json = {};
  try {
    reply = JSON.parse(line) as Json;
  } catch {
    // Left empty: the assertions say what was expected.
  }
  return { status: run.status, reply, stderr: run.stderr };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function ownerOf(status: Json, account: string): Json | undefined {
  return (status['owners'] as Json[]).find((o) => o['account'] === account);
}

function forms(seed: string): string[] {
  const { ikm, secret } = parseDerivedKeySeed(seed);
  return [seed, seed.replaceAll('-', ''), toHex(secret), base64urlEncode(secret), toHex(ikm), base64urlEncode(ikm)];
}

async function secretValues(state: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(join(state, 'secrets')))
    if (name.endsWith('.secret')) out.push(await readFile(join(state, 'secrets', name), 'utf8'));
  return out;
}

/** Writes raw bytes to the technician's end (and drains what comes back) with the serialport package. */
async function blast(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  port.on('data', () => undefined);
  for (const chunk of chunks) {
    await new Promise<void>((resolve, reject) => port.write(Buffer.from(chunk), (e) => (e ? reject(e) : resolve())));
    await new Promise<void>((resolve) => port.drain(() => resolve()));
  }
  await new Promise((r) => setTimeout(r, 300));
  await new Promise<void>((resolve) => port.close(() => resolve()));
}

describe('serial provisioning over a pty pair', () => {
  it('identity, connect, approve a held claim with the shown code, unpair, restart, factory reset, fuzz; no seed on the line', async () => {
    const dir = await tempDirectory('mesh-serial-');
    directories.push(dir);
    const state = join(dir, 'state');
    for (const name of ['maker', 'alice', 'bob', 'carol'])
      await ownerJson(join(dir, name), 'account', 'create', `${name}@example.com`, '--service', service.url);
    const maker = await openOwner(join(dir, 'maker'), service.url);
    const bob = await openOwner(join(dir, 'bob'), service.url);
    const factory = factoryFileText('maker@example.com');
    await publishDevice(maker, factory.seed);
    const medk = join(dir, 'device.medk');
    await writeFile(medk, factory.text, { mode: 0o600 });
    const pair: PtyPair = await startPtyPair(dir);
    const config = await writeConfig(dir, {
      stateDirectory: state,
      preconfiguration: medk,
      claims: { account: 'maker@example.com', service: service.url, additionalClaims: 'physical-confirmation' },
      keystore: 'file',
      polling: { initialDelaySeconds: 0.1, maxDelaySeconds: 0.4, jitter: 0, honorRetryAfter: false },
      serial: { provisioning: realpathSync(pair.a), baudRate: 115200 },
    });
    let agent = new AgentProcess(config);
    await agent.waitFor(/serial provisioning listening on/);
    const port = pair.b;

    // Identity: what the label and the owner CLI show.
    const info = await request(port, 'info');
    expect(info.status, info.stderr).toBe(0);
    expect(info.reply).toMatchObject({
      v: 1,
      ok: true,
      result: {
        device: factory.made.deviceUdf,
        mode: 'factory',
        connectUri: factory.made.connectUri,
        protocol: 1,
        keystore: 'file',
        identityOnReset: 'keep',
        agentVersion: '0.1.0',
      },
    });
    expect((await request(port, 'ping')).reply).toMatchObject({ ok: true, result: { pong: true } });
    expect((await request(port, 'status')).reply.result).toMatchObject({ device: factory.made.deviceUdf, owners: [] });

    // connect alice over the line; she compares the witness (and check code) and accepts.
    const connect = await request(port, 'connect', 'alice@example.com', `service=${service.url}`);
    expect(connect.status, connect.stderr).toBe(0);
    expect(connect.reply.result).toMatchObject({
      owner: { account: 'alice@example.com', state: 'new', service: service.url },
      pin: false,
    });
    const pending = await until('alice pending', async () => {
      const o = ownerOf((await request(port, 'status')).reply.result, 'alice@example.com');
      return o?.['state'] === 'pending' ? o : undefined;
    });
    expect(pending['checkCode']).toMatch(/^[1-9]{4}$/);
    const ownerSide = await ownerJson<{ pending: Array<{ witness: string }> }>(join(dir, 'alice'), 'device', 'pending');
    expect(ownerSide.pending.map((p) => p.witness)).toEqual([pending['witness']]);
    expect((await owner(join(dir, 'alice'), 'device', 'accept', pending['witness'] as string)).status).toBe(0);
    await until('alice connected', async () =>
      ownerOf((await request(port, 'status')).reply.result, 'alice@example.com')?.['state'] === 'connected'
        ? true
        : undefined,
    );
    expect((await request(port, 'connect', 'alice@example.com')).reply).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    const aliceActivation = (await secretValues(state)).filter((v) => v !== factory.seed);
    expect(aliceActivation).toHaveLength(1);

    // bob scans the label: held, since the device has an owner. The line says a claim can be confirmed, never its code.
    await claimAndAccept(bob, maker.client, factory.made.connectUri);
    const claims = await until('bob held', async () => {
      const r = await request(port, 'claims');
      return (r.reply.result?.['held'] as Json[] | undefined)?.length === 1 ? r : undefined;
    });
    expect(claims.reply.result['held']).toEqual([
      { claimant: 'bob@example.com', policy: 'physical-confirmation', received: expect.any(String), confirmable: true },
    ]);
    const heldCode = (
      await agent.waitFor(/SHOW claim-held bob@example.com awaiting physical-confirmation code (\S+)/)
    )[1] as string;
    for (const line of transcript) expect(line).not.toContain(heldCode);
    // The held claim's own code does not work over the line: only a fresh one shown on the device.
    const from = agent.lines.length;
    const ask = await meshSerial(port, ['approve-claim', 'bob@example.com']);
    expect(ask.status).toBe(1);
    expect(ask.stderr).toMatch(/needs the code the device now shows on its console/);
    const shown = (
      await agent.waitFor(/SHOW confirmation-code (\d{6}) for approve-claim bob@example.com/, 5_000, from)
    )[1] as string;
    for (const line of transcript) expect(line).not.toContain(shown);
    const wrong = shown === '111111' ? '222222' : '111111';
    expect((await request(port, 'approve-claim', 'bob@example.com', wrong)).reply).toMatchObject({
      ok: false,
      error: { code: 'bad-code', details: { attemptsLeft: 2 } },
    });
    const approved = await request(port, 'approve-claim', 'bob@example.com', shown);
    expect(approved.reply).toMatchObject({ ok: true, result: { claimant: 'bob@example.com', approved: true } });
    expect((await request(port, 'approve-claim', 'bob@example.com', shown)).reply.ok).toBe(false);
    await agent.waitFor(/SHOW connected bob@example.com/);

    // unpair alice: her record and activation go; bob stays connected.
    const unpair = await request(port, 'unpair', 'alice@example.com');
    expect(unpair.reply).toMatchObject({
      ok: true,
      result: { account: 'alice@example.com', previousState: 'connected', unpaired: true },
    });
    const afterUnpair = (await request(port, 'status')).reply.result as Json;
    expect((afterUnpair['owners'] as Json[]).map((o) => [o['account'], o['state']])).toEqual([
      ['bob@example.com', 'connected'],
    ]);
    expect(await secretValues(state)).not.toContain(aliceActivation[0]);
    expect((await request(port, 'unpair', 'nobody@example.com')).reply).toMatchObject({
      ok: false,
      error: { code: 'no-such-owner' },
    });

    // carol connected over the line survives a restart, pending with the same witness; alice stays unpaired.
    await request(port, 'connect', 'carol@example.com', `service=${service.url}`);
    const carol = await until('carol pending', async () => {
      const o = ownerOf((await request(port, 'status')).reply.result, 'carol@example.com');
      return o?.['state'] === 'pending' ? o : undefined;
    });
    const activations = (await secretValues(state)).filter((v) => v !== factory.seed);
    expect(await agent.stop()).toBe(0);
    agent = new AgentProcess(config);
    await agent.waitFor(/serial provisioning listening on/);
    const restarted = (await request(port, 'status')).reply.result as Json;
    expect((restarted['owners'] as Json[]).map((o) => [o['account'], o['state'], o['witness'] ?? null])).toEqual([
      ['bob@example.com', 'connected', null],
      ['carol@example.com', 'pending', carol['witness']],
    ]);

    // Fuzz: garbage lines, raw bytes, invalid UTF-8, over-long lines, no newline at all.
    const chunks: Uint8Array[] = [];
    let seed = 12345;
    const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < 2000; i++) {
      const kind = i % 5;
      if (kind === 0) chunks.push(new TextEncoder().encode(`garbage ${i} {"v":1,"id":${i},"cmd":\n`));
      else if (kind === 1) chunks.push(Uint8Array.from({ length: 64 }, () => next() & 0xff));
      else if (kind === 2) chunks.push(new Uint8Array([0xc3, 0x28, 0xff, 0xfe, 0x0a]));
      else if (kind === 3 && i % 50 === 3) chunks.push(new Uint8Array(9000).fill(0x41));
      else
        chunks.push(
          new TextEncoder().encode(`{"v":1,"id":${i},"cmd":"factory-reset","args":{"code":"${next() % 1000000}"}}\n`),
        );
    }
    chunks.push(new Uint8Array(20000).fill(0x7b));
    chunks.push(new Uint8Array([0x0a]));
    await blast(port, chunks);
    const ping = await request(port, 'ping');
    expect(ping.reply, ping.stderr).toMatchObject({ ok: true, result: { pong: true } });
    const afterFuzz = (await request(port, 'status')).reply.result as Json;
    expect(afterFuzz['owners']).toEqual(restarted['owners']);
    expect(agent.child.exitCode).toBeNull();

    // factory-reset: refused without the code, done with it; a factory device keeps its identity.
    const resetFrom = agent.lines.length;
    expect((await request(port, 'factory-reset')).reply).toMatchObject({
      ok: false,
      error: { code: 'confirmation-required', details: { identity: 'keep' } },
    });
    const resetCode = (
      await agent.waitFor(/SHOW confirmation-code (\d{6}) for factory-reset/, 5_000, resetFrom)
    )[1] as string;
    const reset = await request(port, 'factory-reset', resetCode);
    expect(reset.reply, reset.stderr).toMatchObject({
      ok: true,
      result: { reset: true, identity: 'kept', device: factory.made.deviceUdf },
    });
    const wiped = (await request(port, 'status')).reply.result as Json;
    expect(wiped['owners']).toEqual([]);
    expect(await secretValues(state)).toEqual([factory.seed]);
    expect(((await request(port, 'info')).reply.result as Json)['device']).toBe(factory.made.deviceUdf);

    // Interactive: help, ping, info through standard input.
    const session = await meshSerial(port, [], 'help\nping\ninfo\nbogus\nquit\n');
    expect(session.status, session.stderr).toBe(0);
    expect(session.stdout).toMatch(/approve-claim \[claimant\] \[code\]/);
    expect(session.stdout).toMatch(/^pong$/m);
    expect(session.stdout).toContain(`device      ${factory.made.deviceUdf}`);
    expect(session.stderr).toMatch(/unknown command "bogus"/);

    // Usage and an unopenable port: exit 2.
    expect((await meshSerial(port, ['frobnicate'])).status).toBe(2);
    expect((await meshSerial(join(dir, 'no-such-tty'), ['ping'])).status).toBe(2);
    expect((await meshSerial(port, ['ping', '--baud', '1234'])).status).toBe(2);

    expect(await agent.stop()).toBe(0);
    expect(agent.stderr.join('')).toBe('');
    // No seed crossed the line.
    const everything = transcript.join('\n');
    for (const secret of [factory.seed, ...activations, ...aliceActivation])
      for (const f of forms(secret)) expect(everything).not.toContain(f);
  }, 180_000);
});
