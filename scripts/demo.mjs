#!/usr/bin/env node
/**
 * `npm run demo`: the whole story on one machine, using the shipped binaries
 * (dist/mesh.mjs, dist/mesh-agent.mjs) exactly as a person would:
 *   1. a local Mesh service in a temp directory;
 *   2. two owners, alice and bob, each with an account on it;
 *   3. a factory preconfiguration, and the agent booted from it;
 *   4. alice compares the witness the device shows with the one her CLI computes, accepts, and
 *      the device reports connected;
 *   5. bob then connects the same device too;
 *   6. the device's status shows two owners and its keystore tier.
 * Exits 0 only if every step worked. Everything runs on 127.0.0.1 and is removed afterwards
 * (pass --keep to keep the temp directory for a look around).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MESH = join(root, 'dist', 'mesh.mjs');
const AGENT = join(root, 'dist', 'mesh-agent.mjs');
const keep = process.argv.includes('--keep');
const children = [];
let step = 0;

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const say = (line) => console.log(`    ${line}`);
function heading(title) {
  step += 1;
  console.log(`\n${bold(`${step}. ${title}`)}`);
}

class DemoFailure extends Error {}
function fail(message) {
  throw new DemoFailure(message);
}

/** Runs the mesh CLI with --json and returns the parsed object. */
function mesh(args) {
  const r = spawnSync(process.execPath, [MESH, ...args, '--json'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) fail(`mesh ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout);
}

function agentStatus(config) {
  const r = spawnSync(process.execPath, [AGENT, 'status', '--json', '--config', config], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) fail(`mesh-agent status exited ${r.status}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout);
}

/** Starts a long-running process; resolves when `ready(line)` matches a stdout line. */
function startProcess(name, args, ready, timeoutMs = 30_000) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines = [];
  const waiters = [];
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    buffer += chunk.toString();
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  /** Resolves with the first line (seen or future) matching `match`. */
  const waitFor = (match, what, ms = timeoutMs) => {
    const seen = lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new DemoFailure(`${name}: no ${what} within ${ms / 1000} s. ${stderr.trim()}`)),
        ms,
      );
      const waiter = {
        match,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      waiters.push(waiter);
      exited.then((code) => {
        if (waiters.includes(waiter)) {
          clearTimeout(timer);
          reject(new DemoFailure(`${name} exited ${code} before ${what}: ${stderr.trim()}`));
        }
      });
    });
  };
  return { child, lines, waitFor, exited, ready: waitFor(ready, 'ready line') };
}

async function until(what, check, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** alice or bob: compare the device's witness with her own view of the request, then accept. */
async function ownerAccepts(owner, home, agent, config) {
  const witnessLine = await agent.waitFor(
    (l) => l.includes('SHOW witness') && l.includes(`for ${owner}`),
    `a witness for ${owner}`,
  );
  const deviceWitness = /SHOW witness (\S+)/.exec(witnessLine)[1];
  say(`${'device shows:'.padEnd(23)}witness ${deviceWitness} for ${owner}`);
  const pending = await until(`${owner}'s pending request`, () => {
    const list = mesh(['device', 'pending', '--home', home]).pending;
    return list.find((p) => p.witness === deviceWitness) ?? false;
  });
  say(`${`${owner} sees:`.padEnd(23)}witness ${pending.witness}, device ${pending.deviceUdf}`);
  if (!pending.acceptable) fail(`${owner}'s CLI flags the request: ${pending.problems.join('; ')}`);
  say(`the witnesses match; ${owner} accepts`);
  const accepted = mesh(['device', 'accept', deviceWitness, '--home', home]);
  if (accepted.accepted?.[0]?.deviceUdf !== pending.deviceUdf) fail(`accept did not accept ${pending.deviceUdf}`);
  await agent.waitFor((l) => l.includes('SHOW connected') && l.includes(owner), `"connected" for ${owner}`, 60_000);
  const status = agentStatus(config);
  const record = status.owners.find((o) => o.account === owner);
  if (record?.state !== 'connected') fail(`status says ${owner} is ${record?.state}`);
  say(`${'device reports:'.padEnd(23)}connected to ${owner}`);
}

async function main() {
  for (const file of [MESH, AGENT]) {
    if (!existsSync(file)) fail(`${file} is missing: run npm ci (or npm run build) first`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'mesh-demo-'));
  try {
    console.log(bold('Mathematical Mesh device onboarding demo') + `  (working in ${dir})`);

    heading('Start a local Mesh service');
    const service = startProcess(
      'service',
      [MESH, 'service', 'start', '--data', join(dir, 'service'), '--listen', '127.0.0.1:0', '--json'],
      (l) => l.startsWith('{'),
    );
    const url = JSON.parse(await service.ready).listening;
    say(`listening on ${url} (file store in ${join(dir, 'service')})`);

    heading('Create two owners, alice and bob');
    const homes = { 'alice@example.com': join(dir, 'alice'), 'bob@example.com': join(dir, 'bob') };
    for (const [account, home] of Object.entries(homes)) {
      const created = mesh(['account', 'create', account, '--service', url, '--home', home]);
      say(`${account.padEnd(18)} profile ${created.profileUdf}`);
    }

    heading('Make a factory preconfiguration and boot the agent from it');
    await mkdir(join(dir, 'device'), { recursive: true, mode: 0o700 });
    const medk = join(dir, 'device', 'device.medk');
    const made = mesh([
      'factory',
      'preconfig',
      '--maker',
      'maker@example.com',
      '--out',
      medk,
      '--description',
      'Demo thermostat',
    ]);
    say(`factory: device ${made.deviceUdf}, label ${made.connectUri}`);
    const config = join(dir, 'agent.json');
    await writeFile(
      config,
      JSON.stringify(
        {
          stateDirectory: join(dir, 'device', 'state'),
          preconfiguration: medk,
          owners: Object.keys(homes).map((account) => ({ account, service: url })),
          keystore: 'file',
          polling: { initialDelaySeconds: 0.5, maxDelaySeconds: 5 },
        },
        null,
        2,
      ),
    );
    const agent = startProcess('mesh-agent', [AGENT, 'run', '--config', config], (l) => l.includes('SHOW fingerprint'));
    const fingerprint = /SHOW fingerprint (\S+)/.exec(await agent.ready)[1];
    say(`${'device shows:'.padEnd(23)}fingerprint ${fingerprint}`);
    if (fingerprint !== made.deviceUdf) fail(`the device shows ${fingerprint}, the factory made ${made.deviceUdf}`);

    heading('alice compares the witness and accepts');
    await ownerAccepts('alice@example.com', homes['alice@example.com'], agent, config);

    heading('bob connects the same device too');
    await ownerAccepts('bob@example.com', homes['bob@example.com'], agent, config);

    heading('The device status');
    const status = agentStatus(config);
    say(`device ${status.device.udf} (${status.device.mode} mode), keystore: ${status.keystore.description}`);
    for (const owner of status.owners) say(`owner ${owner.account.padEnd(18)} ${owner.state}`);
    const connected = status.owners.filter((o) => o.state === 'connected');
    if (connected.length !== 2) fail(`expected two connected owners, status shows ${connected.length}`);

    agent.child.kill('SIGTERM');
    service.child.kill('SIGTERM');
    const [agentExit, serviceExit] = await Promise.all([agent.exited, service.exited]);
    if (agentExit !== 0 || serviceExit !== 0) fail(`clean stop failed: agent ${agentExit}, service ${serviceExit}`);
    console.log(`\n${bold('Demo complete')}: one device, two independent owners, every answer verified by the device.`);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    if (keep) console.log(`(kept ${dir})`);
    else await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    console.error(
      `\ndemo failed at step ${step}: ${error instanceof DemoFailure ? error.message : (error?.stack ?? error)}`,
    );
    process.exit(1);
  },
);
