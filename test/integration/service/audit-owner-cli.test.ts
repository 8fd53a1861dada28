/**
 * @module test/integration/service/audit-owner-cli.test
 * Service audit: every owner command (account create/status/pin, device
 * pending/accept/reject/list/revoke) against the real service takes `--json` and prints one
 * JSON line; the profile directory is 0700 with 0600 files; and no output of any command,
 * human or JSON, stdout or stderr, ever holds the account seed the keys derive from.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from '../../helpers/run-cli.js';
import { ScriptedDevice, owner, startTestService, type TestService } from '../owner/owner-harness.js';

describe('service audit: the owner CLI never prints private keys, and every command takes --json', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service?.close();
  });

  it('runs every command in both forms; files 0600 in a 0700 directory; the seed appears in no output', async () => {
    const home = join(service.directory, 'home-audit');
    const account = 'audit@example.com';
    const outputs: Array<{ command: string; result: CliResult }> = [];
    const run = async (...args: string[]): Promise<CliResult> => {
      const result = await owner(home, ...args);
      outputs.push({ command: args.join(' '), result });
      expect(result.status, `mesh ${args.join(' ')}: ${result.stderr}`).toBe(0);
      return result;
    };
    const json = async (...args: string[]): Promise<Record<string, any>> => {
      const result = await run(...args, '--json');
      const lines = result.stdout.trim().split('\n');
      expect(lines, `mesh ${args.join(' ')} --json`).toHaveLength(1);
      return JSON.parse(lines[0] as string) as Record<string, any>;
    };

    await json('account', 'create', account, '--service', service.url);
    await run('account', 'status');
    await json('account', 'status');
    const pin = await json('account', 'pin', '--expires', '1h');
    expect(JSON.stringify(pin)).toMatch(/mcu:\/\//);
    await run('account', 'pin', '--expires', '30m');

    const first = new ScriptedDevice(service.url, account);
    const second = new ScriptedDevice(service.url, account);
    const third = new ScriptedDevice(service.url, account);
    const fourth = new ScriptedDevice(service.url, account);
    await first.connect();
    await second.connect();
    await third.connect();
    await fourth.connect();
    await run('device', 'pending');
    expect((await json('device', 'pending')).pending).toHaveLength(4);
    await json('device', 'accept', first.witness, '--roles', 'web');
    await run('device', 'accept', second.witness);
    await json('device', 'reject', third.udf);
    await run('device', 'reject', fourth.udf);
    expect((await first.complete()).result).toBe('Accept');
    await run('device', 'list');
    expect((await json('device', 'list')).devices.length).toBeGreaterThanOrEqual(2);
    await json('device', 'revoke', first.udf);
    await run('device', 'revoke', second.udf);
    expect((await first.status()).Result).toBe('Revoked');

    // The profile directory: 0700, every file 0600.
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    const files = await readdir(home);
    expect(files).toContain('secrets.json');
    for (const file of files)
      expect({ file, mode: (await stat(join(home, file))).mode & 0o777 }).toEqual({ file, mode: 0o600 });

    // The seed, as stored, in any spelling, appears in no output.
    const secrets = JSON.parse(await readFile(join(home, 'secrets.json'), 'utf8')) as { AccountSeed: string };
    const seed = secrets.AccountSeed;
    expect(seed).toMatch(/^[A-Z2-7-]{20,}$/);
    const spellings = [seed, seed.replace(/-/g, ''), seed.toLowerCase(), seed.replace(/-/g, '').slice(4, 30)];
    expect(outputs).toHaveLength(15);
    for (const { command, result } of outputs) {
      for (const spelling of spellings) {
        expect({ command, leaks: result.stdout.includes(spelling) || result.stderr.includes(spelling) }).toEqual({
          command,
          leaks: false,
        });
      }
    }
  }, 60_000);
});
