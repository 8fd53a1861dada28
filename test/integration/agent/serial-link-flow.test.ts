/**
 * @module test/integration/agent/serial-link-flow.test
 * What a serial link (platform/serial/serial-port-link) keeps in memory, on a real socat pty
 * pair: a peer that does not read what is written to it cannot make written lines pile up.
 * Once more than `maxPendingWriteBytes` wait for the OS the link closes with SerialLinkError
 * saying the peer is not reading (its owner reopens the port), and so it does when no line has
 * been handed on for `stallTimeoutMs`; while the peer reads, many more bytes than the limit
 * pass, in order, and nothing is lost.
 */
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { SerialLinkError, openSerialPortLink, type SerialLink } from '../../../src/platform/serial/serial-port-link.js';
import { tempDirectory } from '../../helpers/agent-process.js';
import { startPtyPair, stopAllPtyPairs } from '../../helpers/socat.js';
import { waitFor } from '../../helpers/system-tools.js';

const directories: string[] = [];
const links: SerialLink[] = [];
afterAll(async () => {
  for (const l of links) await l.close().catch(() => undefined);
  await stopAllPtyPairs();
  for (const d of directories) await rm(d, { recursive: true, force: true });
});

const LIMIT = 16 * 1024;
const lines = Array.from({ length: 4000 }, (_, i) => `reply ${String(i).padStart(5, '0')} ${'x'.repeat(86)}`);

describe('serial link: written lines are bounded', () => {
  it('a peer that stops taking lines below the size limit is cut off after the stall timeout', async () => {
    const dir = await tempDirectory('mesh-serial-stalltime-');
    directories.push(dir);
    const pair = await startPtyPair(dir);
    const { SerialPort } = await import('serialport');
    const peer = new SerialPort({ path: pair.b, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => peer.open((e) => (e ? reject(e) : resolve())));
    const device = await openSerialPortLink(pair.a, 115200, {
      maxPendingWriteBytes: 64 * 1024 * 1024,
      stallTimeoutMs: 500,
    });
    links.push(device);
    let closedWith: Error | undefined;
    device.onClose((error) => (closedWith = error));
    // Enough to fill the tty and socat buffers, far below the size limit.
    for (const line of lines) device.writeLine(line).catch(() => undefined);
    expect(await waitFor(async () => closedWith !== undefined, 10_000)).toBe(true);
    expect(closedWith).toBeInstanceOf(SerialLinkError);
    expect(closedWith?.message).toMatch(/no written line handed on for 500 ms \(\d+ bytes wait\); closing the port/);
    await new Promise<void>((resolve) => (peer.isOpen ? peer.close(() => resolve()) : resolve()));
  });

  it('a peer that reads gets 400 KB through a 16 KB limit, every line in order', async () => {
    const dir = await tempDirectory('mesh-serial-flow-');
    directories.push(dir);
    const pair = await startPtyPair(dir);
    const peer = await openSerialPortLink(pair.b, 115200);
    links.push(peer);
    const received: string[] = [];
    peer.onLine((line) => received.push(line));
    const device = await openSerialPortLink(pair.a, 115200, { maxPendingWriteBytes: LIMIT });
    links.push(device);
    let highest = 0;
    for (const line of lines) {
      // A writer that awaits its writes never goes past the limit.
      await device.writeLine(line);
      highest = Math.max(highest, device.pendingWriteBytes);
    }
    expect(await waitFor(async () => received.length >= lines.length, 20_000)).toBe(true);
    expect(received).toEqual(lines);
    expect(highest).toBeLessThanOrEqual(LIMIT);
  });

  it('a peer that does not read: the link closes saying so, having held at most the limit', async () => {
    const dir = await tempDirectory('mesh-serial-stall-');
    directories.push(dir);
    const pair = await startPtyPair(dir);
    // The peer holds its end open and reads nothing (no 'data' listener: its stream does not read).
    const { SerialPort } = await import('serialport');
    const peer = new SerialPort({ path: pair.b, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => peer.open((e) => (e ? reject(e) : resolve())));
    const device = await openSerialPortLink(pair.a, 115200, { maxPendingWriteBytes: LIMIT });
    links.push(device);
    let closedWith: Error | undefined;
    let closes = 0;
    device.onClose((error) => {
      closes += 1;
      closedWith = error;
    });
    let highest = 0;
    const results = lines.map((l) => {
      const p = device.writeLine(l).then(
        () => 'written' as const,
        (error: unknown) => error,
      );
      highest = Math.max(highest, device.pendingWriteBytes);
      return p;
    });
    expect(await waitFor(async () => closes > 0, 10_000)).toBe(true);
    expect(closes).toBe(1);
    expect(closedWith).toBeInstanceOf(SerialLinkError);
    expect(closedWith?.message).toMatch(
      /the peer is not reading \(\d+ bytes of written lines wait, limit 16384\); closing the port/,
    );
    expect(highest).toBeLessThanOrEqual(LIMIT);
    // The lines past the limit were refused, not queued.
    const refused = await Promise.all(results.slice(-10));
    for (const r of refused) expect(r).toBeInstanceOf(SerialLinkError);
    await new Promise<void>((resolve) => (peer.isOpen ? peer.close(() => resolve()) : resolve()));
  });
});
