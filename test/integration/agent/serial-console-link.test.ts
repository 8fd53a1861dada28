/**
 * @module test/integration/agent/serial-console-link.test
 * The serial console adapter over a real pty pair (socat), in process: a console
 * that is absent at start is logged and retried, and gets the identity block once it appears;
 * the block carries the fingerprint, ConnectUri, witnesses with check codes and a QR code that
 * decodes (jsQR) to the ConnectUri, or to the device UDF on a self-keyed device; Enter on an
 * empty line prints it again; outcomes are one line each; a console that goes away is logged,
 * retried and written again when it is back; the shared line splitter copes with CR, split
 * chunks, bad UTF-8 and oversized lines.
 */
import { rm } from 'node:fs/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../../src/agent/agent-status.js';
import { checkCode } from '../../../src/agent/check-code.js';
import type { LogFields, LogLevel, Logger } from '../../../src/agent/ports.js';
import { SerialConsole } from '../../../src/platform/serial/serial-console.js';
import { LineSplitter, openSerialPortLink, type SerialLink } from '../../../src/platform/serial/serial-port-link.js';
import { tempDirectory } from '../../helpers/agent-process.js';
import { startPtyPair, stopAllPtyPairs } from '../../helpers/socat.js';
import { waitFor } from '../../helpers/system-tools.js';
import { decodeTerminalQr } from '../../helpers/terminal-qr.js';

const WITNESS = 'NBXW-NVYA-6Q4H-2ZMJ-JH2C-3YQP-E7RD';
const URI = 'mcu://maker@example.com/EBQW-GZLS-HJ2B-OTBD-SAH4-K5QA-D2AA';
const UDF = 'MD4P-BEXQ-UWLN-4AV3-JVRE-N6CK-5RQR';

class MemoryLogger implements Logger {
  readonly lines: Array<{ level: LogLevel; message: string; fields?: LogFields }> = [];
  log(level: LogLevel, message: string, fields?: LogFields): void {
    this.lines.push({ level, message, ...(fields === undefined ? {} : { fields }) });
  }
  text(): string {
    return this.lines.map((l) => `${l.level}: ${l.message}`).join('\n');
  }
}

function status(extra: Partial<AgentStatus> = {}): AgentStatus {
  return {
    Format: 'mesh-agent-status/1',
    version: '0.1.0',
    running: true,
    updated: '2026-11-21T10:00:00.000Z',
    device: { udf: UDF, mode: 'factory', connectUri: URI, makerAccount: 'maker@example.com' },
    keystore: { tier: 'file', description: 'files' },
    owners: [
      {
        account: 'alice@example.com',
        service: 'https://example.com/',
        origin: 'config',
        state: 'pending',
        since: '2026-11-21T10:00:00.000Z',
        witness: WITNESS,
      },
    ],
    ...extra,
  };
}

/** The test's end of the line: every received line, and a wait for a pattern. */
class Reader {
  readonly lines: string[] = [];
  constructor(readonly link: SerialLink) {
    link.onLine((line) => this.lines.push(line));
  }
  async until(pattern: RegExp, from = 0, timeoutMs = 10_000): Promise<number> {
    let index = -1;
    const ok = await waitFor(async () => {
      index = this.lines.findIndex((l, i) => i >= from && pattern.test(l));
      return index >= 0;
    }, timeoutMs);
    if (!ok) throw new Error(`no console line matching ${pattern}:\n${this.lines.join('\n')}`);
    return index;
  }
  /** The lines of the last complete block (its header line included). */
  block(): string[] {
    for (let end = this.lines.length - 1; end >= 0; end--) {
      if (this.lines[end] !== '==== end ====') continue;
      for (let start = end - 1; start >= 0 && this.lines[start] !== '==== end ===='; start--) {
        if (this.lines[start]!.startsWith('==== mesh-agent')) return this.lines.slice(start, end + 1);
      }
    }
    return [];
  }

  /**
   * Waits for a complete block. Bytes the console wrote before this end was opened are
   * flushed by the open, so a block can arrive cut; Enter asks for it again, as a person would.
   */
  async completeBlock(timeoutMs = 10_000): Promise<string[]> {
    await this.link.writeLine('');
    const ok = await waitFor(async () => this.block().length > 0, timeoutMs);
    if (!ok) throw new Error(`no complete console block:\n${this.lines.join('\n')}`);
    return this.block();
  }
}

function qrOf(block: string[]): string | undefined {
  const from = block.findIndex((l) => l.startsWith('led '));
  const to = block.findIndex((l) => l.startsWith('qr '));
  return decodeTerminalQr(block.slice(from + 1, to));
}

const directories: string[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
afterAll(async () => {
  await stopAllPtyPairs();
  for (const d of directories) await rm(d, { recursive: true, force: true });
});

async function dir(): Promise<string> {
  const d = await tempDirectory('serial-console-');
  directories.push(d);
  return d;
}

describe('serial console over a pty pair', () => {
  it('absent at start: logged and retried; then the block, with a QR code of the ConnectUri', async () => {
    const d = await dir();
    const logger = new MemoryLogger();
    const console_ = new SerialConsole({
      path: `${d}/ttyA`,
      baudRate: 115200,
      logger,
      retryInitialMs: 100,
      retryMaxMs: 400,
    });
    cleanups.push(() => console_.close());
    console_.show(status());
    await waitFor(async () => /serial console .*ttyA unavailable: cannot open serial device/.test(logger.text()), 5000);
    expect(logger.lines.find((l) => /unavailable/.test(l.message))?.level).toBe('warn');
    // The log has the identity already, console or not.
    expect(logger.text()).toContain(`CONSOLE device      ${UDF}`);
    expect(logger.text()).toContain(
      `CONSOLE witness     ${WITNESS} for alice@example.com, check code ${checkCode(WITNESS)}`,
    );
    await waitFor(async () => logger.lines.some((l) => l.message === `CONSOLE qr ${URI}`), 5000);
    const logQr = logger.lines
      .filter((l) => l.fields?.['event'] === 'console-qr' && !l.message.startsWith('CONSOLE qr'))
      .map((l) => l.message.slice('CONSOLE '.length));
    expect(decodeTerminalQr(logQr)).toBe(URI);

    const pty = await startPtyPair(d);
    cleanups.push(() => pty.stop());
    const reader = new Reader(await openSerialPortLink(pty.b, 115200));
    cleanups.push(() => reader.link.close());
    const block = await reader.completeBlock();
    expect(block.slice(0, 7)).toEqual([
      '==== mesh-agent 0.1.0: device identity ====',
      `device      ${UDF}`,
      'mode        factory',
      `connect uri ${URI}`,
      'owner       alice@example.com: pending',
      `witness     ${WITNESS} for alice@example.com, check code ${checkCode(WITNESS)}`,
      `led         waiting (check code ${checkCode(WITNESS)})`,
    ]);
    expect(block.slice(-2)).toEqual([`qr          ${URI}`, '==== end ====']);
    expect(qrOf(block)).toBe(URI);
    expect(logger.text()).toMatch(/serial console .*ttyA open/);
  });

  it('redraws only on change; Enter reprints; outcomes are one line; a self-keyed device shows the QR of its UDF', async () => {
    const d = await dir();
    const pty = await startPtyPair(d);
    cleanups.push(() => pty.stop());
    const reader = new Reader(await openSerialPortLink(pty.b, 115200));
    cleanups.push(() => reader.link.close());
    const logger = new MemoryLogger();
    const console_ = new SerialConsole({ path: pty.a, baudRate: 115200, logger });
    cleanups.push(() => console_.close());
    await console_.start();
    const self = status({ device: { udf: UDF, mode: 'self' }, owners: [] });
    console_.show(self);
    console_.show({ ...self, updated: '2026-11-21T10:00:01.000Z' });
    await reader.until(/^==== end ====$/);
    expect(qrOf(reader.block())).toBe(UDF);
    expect(reader.block()).toContain('led         unprovisioned');

    await reader.link.writeLine('');
    const second = await reader.until(/^==== end ====$/, reader.lines.indexOf('==== end ====') + 1);
    await console_.flush();
    // Exactly two blocks: the repeated status did not redraw, Enter did.
    expect(reader.lines.filter((l) => l === '==== end ====')).toHaveLength(2);
    console_.announce({ kind: 'connected', account: 'alice@example.com' });
    console_.announce({
      kind: 'claim-held',
      claimant: 'bob@example.com',
      policy: 'physical-confirmation',
      code: 'ABCD-EFGH',
    });
    console_.announce({ kind: 'fingerprint', deviceUdf: UDF, mode: 'self' });
    console_.notice('confirmation code 123456 for approve-claim bob@example.com');
    await reader.until(/^mesh-agent: confirmation code 123456 for approve-claim bob@example.com$/, second);
    expect(reader.lines.slice(second + 1)).toEqual([
      'mesh-agent: alice@example.com: connected',
      'mesh-agent: claim by bob@example.com held, awaiting physical-confirmation, code ABCD-EFGH',
      'mesh-agent: confirmation code 123456 for approve-claim bob@example.com',
    ]);
  });

  it('a console that goes away is logged, retried, and written again when it is back', async () => {
    const d = await dir();
    let pty = await startPtyPair(d);
    const logger = new MemoryLogger();
    const console_ = new SerialConsole({ path: pty.a, baudRate: 115200, logger, retryInitialMs: 100, retryMaxMs: 200 });
    cleanups.push(() => console_.close());
    await console_.start();
    console_.show(status());
    await console_.flush();
    await pty.stop();
    await waitFor(async () => /serial console .*ttyA failed/.test(logger.text()), 5000);
    console_.show(status({ owners: [] }));
    pty = await startPtyPair(d);
    cleanups.push(() => pty.stop());
    const reader = new Reader(await openSerialPortLink(pty.b, 115200));
    cleanups.push(() => reader.link.close());
    const block = await reader.completeBlock();
    expect(block).toContain('led         unprovisioned');
    expect(block.some((l) => l.startsWith('witness'))).toBe(false);
  });
});

describe('line splitter', () => {
  it('splits on LF, drops the CR, joins split chunks, replaces bad UTF-8, cuts oversized lines', () => {
    const got: Array<[string, boolean]> = [];
    const s = new LineSplitter(8, (line, info) => got.push([line, info.oversized]));
    const enc = new TextEncoder();
    s.push(enc.encode('ping\r\nsta'));
    s.push(enc.encode('tus\n'));
    s.push(new Uint8Array([0xff, 0xfe, 0x41, 0x0a]));
    s.push(enc.encode('0123456789abcdef'));
    s.push(enc.encode('more\nok\n'));
    s.push(enc.encode('\n'));
    expect(got).toEqual([
      ['ping', false],
      ['status', false],
      ['\uFFFD\uFFFDA', false],
      ['01234567', true],
      ['ok', false],
      ['', false],
    ]);
  });
});
