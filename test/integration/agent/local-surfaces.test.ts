/**
 * @module test/integration/agent/local-surfaces.test
 * The device's local surfaces against the real agent process (dist/mesh-agent.mjs):
 * - 500 valid pings written back-to-back on a socat pty get exactly 500 replies, each the
 *   answer or `busy` with a retry hint, every id once; the agent answers the next ping;
 * - a state directory whose `confirmations/` is a symbolic link to a directory with a canary
 *   file: the agent refuses to start naming the path, the canary survives, the keys stay;
 * - a `state.json` that is a symbolic link: refused naming it, the file it points at untouched;
 * - a configuration with an invalid UTF-8 byte: refused (exit 78) naming the file and the
 *   byte offset, and no state directory is created.
 */
import { realpathSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSerialPortLink, type SerialLink } from '../../../src/platform/serial/serial-port-link.js';
import { AgentProcess, stopAllAgents, tempDirectory, writeConfig } from '../../helpers/agent-process.js';
import { startPtyPair, stopAllPtyPairs } from '../../helpers/socat.js';
import { waitFor } from '../../helpers/system-tools.js';
import { spawnSync } from 'node:child_process';

type Json = Record<string, any>;

const directories: string[] = [];
const links: SerialLink[] = [];
afterAll(async () => {
  for (const l of links) await l.close().catch(() => undefined);
  await stopAllAgents();
  await stopAllPtyPairs();
  for (const d of directories) await rm(d, { recursive: true, force: true });
});

let dir: string;
beforeAll(async () => {
  dir = await tempDirectory('mesh-local-surfaces-');
  directories.push(dir);
});

/** `mesh-agent run` to its exit (a refusal at start): status and standard error. */
function runToExit(config: string): { status: number; stderr: string } {
  const r = spawnSync(process.execPath, ['dist/mesh-agent.mjs', 'run', '--config', config], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '' },
    timeout: 20_000,
  });
  return { status: r.status ?? -1, stderr: r.stderr };
}

describe('serial provisioning under a flood', () => {
  it('500 pipelined pings: exactly 500 replies, each pong or busy; the agent serves afterwards', async () => {
    const base = join(dir, 'flood');
    await mkdir(base);
    const pair = await startPtyPair(base);
    const config = await writeConfig(base, {
      stateDirectory: join(base, 'state'),
      keystore: 'file',
      serial: { provisioning: realpathSync(pair.a), baudRate: 115200 },
    });
    const agent = new AgentProcess(config);
    await agent.waitFor(/serial provisioning listening on/);
    const link = await openSerialPortLink(pair.b, 115200);
    links.push(link);
    const replies: Json[] = [];
    link.onLine((line) => {
      const value = JSON.parse(line) as Json;
      if (value['event'] === undefined) replies.push(value);
    });
    const ids = Array.from({ length: 500 }, (_, i) => i);
    // Back to back: one write of all 500 lines (the link adds the last line's ending).
    await link.writeLine(ids.map((i) => `{"v":1,"id":${i},"cmd":"ping"}`).join('\r\n'));
    const all = await waitFor(async () => replies.length >= 500, 20_000);
    expect(all, `${replies.length} replies`).toBe(true);
    // Then a ping of its own, answered: the agent still serves, and nothing more came for the flood.
    await link.writeLine('{"v":1,"id":"after","cmd":"ping"}');
    expect(await waitFor(async () => replies.some((r) => r['id'] === 'after'), 10_000)).toBe(true);
    const flood = replies.filter((r) => r['id'] !== 'after');
    expect(flood).toHaveLength(500);
    expect(flood.map((r) => r['id']).sort((a, b) => a - b)).toEqual(ids);
    let pong = 0;
    let busy = 0;
    for (const r of flood) {
      if (r['ok'] === true) {
        expect(r['result']).toEqual({ pong: true });
        pong += 1;
      } else {
        expect(r['error']).toMatchObject({ code: 'busy', details: { retryAfterSeconds: expect.any(Number) } });
        busy += 1;
      }
    }
    expect(pong + busy).toBe(500);
    expect(pong).toBeGreaterThan(0);
    expect(replies.find((r) => r['id'] === 'after')).toMatchObject({ ok: true, result: { pong: true } });
    expect(agent.child.exitCode).toBeNull();
    expect(await agent.stop()).toBe(0);
  });
});

describe('the state directory refuses links', () => {
  async function bootOnce(name: string): Promise<{ base: string; state: string; config: string }> {
    const base = join(dir, name);
    await mkdir(base);
    const state = join(base, 'state');
    const config = await writeConfig(base, { stateDirectory: state, keystore: 'file' });
    const agent = new AgentProcess(config);
    await agent.waitFor(/SHOW fingerprint/);
    expect(await agent.stop()).toBe(0);
    return { base, state, config };
  }

  it('a symlinked confirmations/: the agent refuses to start naming it; the canary and the keys survive', async () => {
    const { base, state, config } = await bootOnce('confirmations');
    const secretsBefore = await readdir(join(state, 'secrets'));
    expect(secretsBefore.length).toBeGreaterThan(0);
    const elsewhere = join(base, 'elsewhere');
    await mkdir(elsewhere);
    await writeFile(join(elsewhere, 'ABCDEFGH'), 'canary');
    await rm(join(state, 'confirmations'), { recursive: true, force: true });
    await symlink(elsewhere, join(state, 'confirmations'));
    const run = runToExit(config);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `${join(state, 'confirmations')} is a symbolic link; the state directory must not contain links`,
    );
    expect(await readFile(join(elsewhere, 'ABCDEFGH'), 'utf8')).toBe('canary');
    expect(await readdir(join(state, 'secrets'))).toEqual(secretsBefore);
  });

  it('a symlinked state.json: refused naming it; the file it points at is not touched', async () => {
    const { base, state, config } = await bootOnce('state-json');
    const real = join(base, 'real-state.json');
    await rename(join(state, 'state.json'), real);
    const before = await readFile(real, 'utf8');
    await symlink(real, join(state, 'state.json'));
    const run = runToExit(config);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `${join(state, 'state.json')} is a symbolic link; the state directory must not contain links`,
    );
    expect(await readFile(real, 'utf8')).toBe(before);
  });
});

describe('configuration text', () => {
  it('an invalid UTF-8 byte is refused naming the file and the offset; no directory is created', async () => {
    const base = join(dir, 'utf8');
    await mkdir(base);
    const head = Buffer.from(`{"stateDirectory": "${base}/st`);
    const path = join(base, 'config.json');
    await writeFile(path, Buffer.concat([head, Buffer.from([0xff]), Buffer.from('ate", "keystore": "file"}')]));
    const run = runToExit(path);
    expect(run.status).toBe(78);
    expect(run.stderr).toContain(
      `configuration ${path}: "$" expected UTF-8 text, got an invalid UTF-8 byte sequence at byte offset ${head.length}`,
    );
    expect(await readdir(base)).toEqual(['config.json']);
  });
});
