/**
 * @module test/unit/agent/provisioning-busy.test
 * "Busy" is an answer (src/agent/provisioning/README.md, "Lines"): every well-formed request
 * gets exactly one reply, whatever the bad-input budget says. 500 pings arrive in one chunk
 * while the handler is slow; every id is answered once, either with its result or with
 * `busy` and a retry hint, and the session serves the next request afterwards.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/agent/fakes/fake-clock.js';
import { RecordingLogger } from '../../../src/agent/fakes/memory-ports.js';
import { MAX_LINE_BYTES, errorReply, okReply, type Reply } from '../../../src/agent/provisioning/protocol.js';
import {
  BAD_INPUT_BUCKET,
  BUSY_RETRY_AFTER_SECONDS,
  MAX_QUEUED,
  ProvisioningSession,
} from '../../../src/agent/provisioning/provisioning-session.js';
import { LineSplitter } from '../../../src/platform/serial/serial-port-link.js';

function harness() {
  const lines: string[] = [];
  let release: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => (release = resolve));
  const session = new ProvisioningSession({
    handle: async (request) => {
      await gate;
      return request.cmd === 'ping'
        ? okReply(request.id, { pong: true })
        : errorReply(request.id, 'internal', 'unexpected');
    },
    write: (line) => void lines.push(line),
    hello: () => ({ v: 1, event: 'hello', protocol: 1 }),
    clock: new FakeClock(),
    logger: new RecordingLogger(),
  });
  const splitter = new LineSplitter(MAX_LINE_BYTES, (line, info) => session.receiveLine(line, info.oversized));
  const open = () => {
    release();
  };
  const hold = () => {
    gate = new Promise<void>((resolve) => (release = resolve));
  };
  return { lines, session, splitter, open, hold, replies: () => lines.map((l) => JSON.parse(l) as Reply) };
}

const pings = (from: number, count: number): Uint8Array =>
  new TextEncoder().encode(Array.from({ length: count }, (_, i) => `{"v":1,"id":${from + i},"cmd":"ping"}\n`).join(''));

describe('busy is an answer', () => {
  it('500 pipelined pings get exactly 500 replies, each the answer or busy with a retry hint', async () => {
    const h = harness();
    h.splitter.push(pings(0, 500));
    // One request in hand and MAX_QUEUED waiting; every other gets busy at once, before any is handled.
    const accepted = MAX_QUEUED + 1;
    expect(h.lines.length).toBe(500 - accepted);
    h.open();
    await h.session.idle();
    const replies = h.replies();
    expect(replies).toHaveLength(500);
    expect(new Set(replies.map((r) => r.id))).toEqual(new Set(Array.from({ length: 500 }, (_, i) => i)));
    const answered = replies.filter((r) => r.ok);
    const busy = replies.filter((r) => !r.ok);
    expect(answered.map((r) => r.id)).toEqual(Array.from({ length: accepted }, (_, i) => i));
    for (const r of answered) expect(r).toMatchObject({ ok: true, result: { pong: true } });
    // Far more busy replies than the bad-input budget would let through: busy is not bad input.
    expect(busy.length).toBe(500 - accepted);
    expect(busy.length).toBeGreaterThan(BAD_INPUT_BUCKET.capacity);
    for (const r of busy)
      expect(r).toMatchObject({
        ok: false,
        error: { code: 'busy', details: { waiting: MAX_QUEUED, retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS } },
      });
    expect(h.session.counts).toMatchObject({ requests: accepted, busy: 500 - accepted, suppressed: 0 });
  });

  it('after a flood the session answers the next request; bad input is still rate limited apart from busy', async () => {
    const h = harness();
    h.splitter.push(pings(0, 100));
    h.open();
    await h.session.idle();
    h.hold();
    const before = h.lines.length;
    h.splitter.push(pings(1000, 1));
    h.open();
    await h.session.idle();
    expect(h.replies().slice(before)).toEqual([{ v: 1, id: 1000, ok: true, result: { pong: true } }]);
    const flood = new TextEncoder().encode('garbage\n'.repeat(100));
    const start = h.lines.length;
    h.splitter.push(flood);
    // The budget, then one rate-limited notice: bad input alone may go unanswered.
    expect(h.lines.length - start).toBe(BAD_INPUT_BUCKET.capacity + 1);
  });
});
