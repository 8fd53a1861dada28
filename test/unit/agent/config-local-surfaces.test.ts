/**
 * @module test/unit/agent/config-local-surfaces.test
 * What the agent reads from its own files must be what was written: the configuration file is
 * UTF-8 or refused naming the file and the byte offset of the first invalid sequence (real
 * files in a temp directory, through the CLI's loadConfig); the offset finder agrees with the
 * fatal TextDecoder on random bytes; and the console and provisioning cannot share one port
 * (refused naming both fields, by name in the validator and, at start, by the device a name
 * resolves to), with every shipped example still valid.
 */
import fc from 'fast-check';
import { mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/agent/config/config-error.js';
import { parseAgentConfig, validateAgentConfig } from '../../../src/agent/config/validate-agent-config.js';
import { loadConfig } from '../../../src/cli/agent/agent-context.js';
import { refuseSharedSerialPort } from '../../../src/cli/agent/serial-provisioning.js';
import { decodeUtf8File, firstInvalidUtf8Offset, InvalidUtf8TextError } from '../../../src/platform/fs/strict-utf8.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-config-utf8-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(run: () => Promise<unknown>): Promise<ConfigError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration text is UTF-8', () => {
  it('an invalid byte in a directory name is refused naming the file and the offset; nothing is created', async () => {
    const path = join(dir, 'bad.json');
    const head = Buffer.from(`{"stateDirectory": "${dir}/st`);
    await writeFile(path, Buffer.concat([head, Buffer.from([0xc3, 0x28]), Buffer.from('te", "owners": []}')]));
    const error = await refusal(() => loadConfig(path));
    expect(error.message).toBe(
      `configuration ${path}: "$" expected UTF-8 text, got an invalid UTF-8 byte sequence at byte offset ${head.length}`,
    );
    expect(await readdir(dir)).toEqual(['bad.json']);
  });

  it('a truncated sequence at the end, an overlong form and a surrogate are each found at their start', () => {
    expect(firstInvalidUtf8Offset(Buffer.from([0x61, 0x62, 0xe2, 0x82]))).toBe(2);
    expect(firstInvalidUtf8Offset(Buffer.from([0x61, 0xc0, 0xaf]))).toBe(1);
    expect(firstInvalidUtf8Offset(Buffer.from([0x61, 0x62, 0x63, 0xed, 0xa0, 0x80]))).toBe(3);
    expect(firstInvalidUtf8Offset(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
    expect(firstInvalidUtf8Offset(Buffer.from('ünïcødé 𝄞 ok', 'utf8'))).toBeUndefined();
    const error = (() => {
      try {
        decodeUtf8File(Buffer.from([0x7b, 0xff]), '/x/y.json');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidUtf8TextError);
    expect(error).toMatchObject({
      path: '/x/y.json',
      offset: 1,
      message: '/x/y.json is not UTF-8 text: an invalid byte sequence at byte offset 1',
    });
  });

  it('the offset finder says "valid" exactly when the fatal decoder does, and then points at a byte the decoder cannot pass', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        let valid = true;
        try {
          fatal.decode(bytes);
        } catch {
          valid = false;
        }
        const offset = firstInvalidUtf8Offset(bytes);
        expect(offset === undefined).toBe(valid);
        if (offset !== undefined) {
          // Everything before the offset decodes; the text from it on does not.
          expect(() => fatal.decode(bytes.subarray(0, offset))).not.toThrow();
          expect(() => fatal.decode(bytes.subarray(offset))).toThrow();
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a valid file with a byte-order mark still loads', async () => {
    const path = join(dir, 'bom.json');
    await writeFile(
      path,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`{"stateDirectory": "${dir}/ok"}`)]),
    );
    expect((await loadConfig(path)).stateDirectory).toBe(`${dir}/ok`);
  });
});

describe('the console and provisioning ports', () => {
  it('one device for both is refused naming both fields', () => {
    let error: unknown;
    try {
      validateAgentConfig({ serial: { console: '/dev/ttyS0', provisioning: '/dev/ttyS0' } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const config = error as ConfigError;
    expect(config.path).toBe('$.serial.provisioning');
    expect(config.message).toContain('"$.serial.provisioning" expected a different device from "$.serial.console"');
    expect(config.message).toContain('"/dev/ttyS0"');
  });

  it('two devices are accepted', () => {
    expect(validateAgentConfig({ serial: { console: '/dev/ttyS0', provisioning: '/dev/ttyGS0' } }).serial).toEqual({
      console: '/dev/ttyS0',
      provisioning: '/dev/ttyGS0',
      baudRate: 115200,
    });
  });

  it('every shipped example validates', async () => {
    for (const name of ['minimal.json', 'self-keyed-two-owners.json', 'thermostat-factory.json']) {
      const path = join('firmware-config', name);
      const text = decodeUtf8File(new Uint8Array(await readFile(path)), path);
      expect(() => parseAgentConfig(text, path), name).not.toThrow();
    }
  });
});

describe('one device under two names', () => {
  it('a console and a provisioning port that resolve to one device are refused at start, naming both; two devices pass', async () => {
    const tty = join(dir, 'ttyS0');
    const other = join(dir, 'ttyGS0');
    await writeFile(tty, '');
    await writeFile(other, '');
    const alias = join(dir, 'serial0');
    await symlink(tty, alias);
    const base = validateAgentConfig({});
    const shared = { ...base, serial: { console: alias, provisioning: tty, baudRate: 115200 } };
    const error = await refusal(() => refuseSharedSerialPort(shared, '/etc/mesh-agent/config.json'));
    expect(error.path).toBe('$.serial.provisioning');
    expect(error.message).toContain('"$.serial.provisioning" expected a different device from "$.serial.console"');
    expect(error.message).toContain(`like the console's ${JSON.stringify(alias)}`);
    await refuseSharedSerialPort({ ...base, serial: { console: alias, provisioning: other, baudRate: 115200 } });
    // A port that does not exist yet (a gadget not plugged in) is left to the port's retries.
    await refuseSharedSerialPort({
      ...base,
      serial: { console: alias, provisioning: join(dir, 'absent'), baudRate: 115200 },
    });
  });
});
