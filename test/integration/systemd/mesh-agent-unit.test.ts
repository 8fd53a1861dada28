/**
 * @module test/integration/systemd/mesh-agent-unit
 * systemd/mesh-agent.service passes `systemd-analyze verify` and rates 2.0 or lower ("OK")
 * with `systemd-analyze security`, both run offline: PID 1 here is not systemd.
 * How: a temporary root holding the host's unit library (for sysinit.target and friends),
 * our unit and drop-in, and stub executables at the paths ExecStart names, since verify
 * checks that they exist; then `--root=<tmp>` for both commands, `--offline=true` for
 * security. The unit itself is used unchanged.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const UNIT = readFileSync('systemd/mesh-agent.service', 'utf8');
const DROP_IN = readFileSync('systemd/boot-preconfiguration.conf', 'utf8');
const ADOPT = 'systemd/adopt-preconfiguration.sh';

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const haveAnalyze = analyze.status === 0;

/** `Key=value` lines of the unit, in order (comments and sections dropped). */
function directives(text: string): [string, string][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('['))
    .map((line) => {
      const eq = line.indexOf('=');
      return [line.slice(0, eq), line.slice(eq + 1)] as [string, string];
    });
}
const settings = directives(UNIT);
const values = (key: string) => settings.filter(([k]) => k === key).map(([, v]) => v);
const value = (key: string) => values(key).at(-1);

describe('mesh-agent.service content', () => {
  it('runs the bundled agent with its configuration', () => {
    expect(value('ExecStart')).toBe('/opt/mesh-agent/mesh-agent-launch run --config %d/config.json');
    expect(values('Environment')).toContain('MESH_AGENT_DIR=/opt/mesh-agent MESH_AGENT_NODE=/usr/bin/node');
    expect(value('LoadCredential')).toBe('config.json:/etc/mesh-agent/config.json');
  });

  it.each([
    ['DynamicUser', 'yes'],
    ['StateDirectory', 'mesh-agent'],
    ['CacheDirectory', 'mesh-agent'],
    ['ProtectSystem', 'strict'],
    ['NoNewPrivileges', 'yes'],
    ['PrivateTmp', 'yes'],
    ['ProtectHome', 'yes'],
    ['Restart', 'on-failure'],
    ['CapabilityBoundingSet', ''],
    ['LockPersonality', 'yes'],
    ['RestrictNamespaces', 'yes'],
    ['RestrictAddressFamilies', 'AF_UNIX AF_INET AF_INET6'],
    ['DevicePolicy', 'closed'],
    ['StartLimitBurst', '5'],
    ['StartLimitIntervalSec', '10min'],
  ])('%s=%s', (key, expected) => {
    expect(value(key)).toBe(expected);
  });

  it('reaches devices only through the dialout, gpio and tss groups', () => {
    expect(value('SupplementaryGroups')?.split(/\s+/).sort()).toEqual(['dialout', 'gpio', 'tss']);
    expect(values('DeviceAllow')).toContain('char-tpmrm rw');
    expect(values('DeviceAllow')).toContain('char-gpiochip rw');
    expect(values('DeviceAllow')).toContain('char-ttyS rw');
  });

  it('filters system calls to @system-service', () => {
    expect(values('SystemCallFilter')).toContain('@system-service');
  });

  it('does not set MemoryDenyWriteExecute (V8 JIT needs W+X) and says why', () => {
    expect(values('MemoryDenyWriteExecute')).toEqual([]);
    expect(UNIT).toMatch(/MemoryDenyWriteExecute= is deliberately NOT set: V8/);
  });
});

// Runs everywhere: without systemd-analyze the suite fails naming the package (apt: systemd).
describe('systemd-analyze, offline', () => {
  let root: string;

  beforeAll(() => {
    if (!haveAnalyze)
      throw new Error('systemd-analyze is missing: install the Debian package "systemd" (.ci/apt-packages does)');
    root = mkdtempSync(join(tmpdir(), 'mesh-agent-unit-'));
    // The host's unit library: verify loads the default dependencies (sysinit.target, ...).
    const library = ['/usr/lib/systemd/system', '/lib/systemd/system'].find((dir) =>
      existsSync(join(dir, 'sysinit.target')),
    );
    if (library === undefined) throw new Error('no systemd unit library (sysinit.target) on this machine');
    cpSync(library, join(root, 'usr/lib/systemd/system'), {
      recursive: true,
      dereference: false,
      verbatimSymlinks: true,
    });
    mkdirSync(join(root, 'etc/systemd/system/mesh-agent.service.d'), { recursive: true });
    writeFileSync(join(root, 'etc/systemd/system/mesh-agent.service'), UNIT);
    writeFileSync(join(root, 'etc/systemd/system/mesh-agent.service.d/boot-preconfiguration.conf'), DROP_IN);
    // Stubs at the paths ExecStart= and ExecStartPre= name: verify checks they are executable.
    for (const file of ['usr/bin/node', 'opt/mesh-agent/mesh-agent-launch', 'opt/mesh-agent/adopt-preconfiguration']) {
      mkdirSync(join(root, file, '..'), { recursive: true });
      writeFileSync(join(root, file), '#!/bin/sh\nexit 0\n');
      chmodSync(join(root, file), 0o755);
    }
    writeFileSync(join(root, 'opt/mesh-agent/mesh-agent.mjs'), '');
  });

  afterAll(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  const run = (args: string[]) =>
    spawnSync('systemd-analyze', args, {
      encoding: 'utf8',
      env: { ...process.env, SYSTEMD_PAGER: '', SYSTEMD_COLORS: '0' },
    });

  it('verify passes, with the boot-preconfiguration drop-in', () => {
    const result = run(['verify', '--man=no', '--generators=no', `--root=${root}`, 'mesh-agent.service']);
    expect(result.stderr + result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('verify notices a missing executable (the check is real)', () => {
    rmSync(join(root, 'opt/mesh-agent/mesh-agent-launch'));
    try {
      const result = run(['verify', '--man=no', '--generators=no', `--root=${root}`, 'mesh-agent.service']);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('/opt/mesh-agent/mesh-agent-launch');
    } finally {
      writeFileSync(join(root, 'opt/mesh-agent/mesh-agent-launch'), '#!/bin/sh\nexit 0\n');
      chmodSync(join(root, 'opt/mesh-agent/mesh-agent-launch'), 0o755);
    }
  });

  it('security rates the unit 2.0 or lower ("OK")', () => {
    // --threshold is on the 0-100 scale the printed level is a tenth of.
    const result = run([
      'security',
      '--offline=true',
      `--root=${root}`,
      '--threshold=20',
      '--no-pager',
      'mesh-agent.service',
    ]);
    const line = /Overall exposure level for mesh-agent\.service: (\d+(?:\.\d+)?) (\S+)/.exec(result.stdout);
    expect(line, result.stdout + result.stderr).not.toBeNull();
    const [, score, rating] = line as RegExpExecArray;
    expect(Number(score)).toBeLessThanOrEqual(2.0);
    expect(rating).toBe('OK');
    expect(result.status).toBe(0);
  });
});

describe('adopt-preconfiguration', () => {
  let dir: string;
  const adopt = (src: string, dest: string) => execFileSync('sh', [ADOPT, src, dest], { encoding: 'utf8' });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mesh-adopt-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function layout(name: string): { boot: string; state: string; src: string; dest: string } {
    const boot = join(dir, name, 'boot');
    const state = join(dir, name, 'state');
    mkdirSync(boot, { recursive: true });
    mkdirSync(state, { recursive: true, mode: 0o700 });
    return { boot, state, src: join(boot, 'device.medk'), dest: join(state, 'device.medk') };
  }

  it('moves the file into the state directory, 0600, and removes it from the boot partition', () => {
    const { src, dest } = layout('fresh');
    writeFileSync(src, '{"seed":"factory"}');
    adopt(src, dest);
    expect(readFileSync(dest, 'utf8')).toBe('{"seed":"factory"}');
    expect(statSync(dest).mode & 0o777).toBe(0o600);
    expect(existsSync(src)).toBe(false);
    expect(existsSync(`${dest}.adopting`)).toBe(false);
  });

  it('never replaces a file the agent already has (power cut after the rename)', () => {
    const { src, dest } = layout('done');
    writeFileSync(dest, '{"rewritten":"without seed"}');
    writeFileSync(src, '{"seed":"factory"}');
    adopt(src, dest);
    expect(readFileSync(dest, 'utf8')).toBe('{"rewritten":"without seed"}');
    expect(existsSync(src)).toBe(false);
  });

  it('replaces a torn temporary copy (power cut during the copy)', () => {
    const { src, dest } = layout('torn');
    writeFileSync(`${dest}.adopting`, '{"se');
    writeFileSync(src, '{"seed":"factory"}');
    adopt(src, dest);
    expect(readFileSync(dest, 'utf8')).toBe('{"seed":"factory"}');
    expect(existsSync(`${dest}.adopting`)).toBe(false);
  });

  it('does nothing when there is no file on the boot partition', () => {
    const { src, dest } = layout('absent');
    adopt(src, dest);
    expect(existsSync(dest)).toBe(false);
  });
});
