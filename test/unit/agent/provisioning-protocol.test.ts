/**
 * @module test/unit/agent/provisioning-protocol.test
 * The serial provisioning protocol without a device: request parsing with its
 * error codes, the session's handling of garbage, invalid UTF-8, over-long lines and noise
 * (error replies, rate limited, never a throw), the confirmation codes (fresh, bound to
 * their target, expiring, single use, three attempts, rate limited), and the technician's
 * words → args.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/agent/fakes/fake-clock.js';
import { seededRandom } from '../../../src/crypto/random.js';
import { RecordingLogger } from '../../../src/agent/fakes/memory-ports.js';
import { argsFromWords } from '../../../src/agent/provisioning/command-words.js';
import {
  CODE_BUCKET,
  CODE_LIFETIME_MS,
  ConfirmationChallenges,
  MAX_ATTEMPTS,
  type ShownCode,
} from '../../../src/agent/provisioning/confirmation-challenges.js';
import {
  MAX_LINE_BYTES,
  ProvisioningCommandError,
  okReply,
  parseRequestLine,
  type Reply,
} from '../../../src/agent/provisioning/protocol.js';
import { BAD_INPUT_BUCKET, ProvisioningSession } from '../../../src/agent/provisioning/provisioning-session.js';
import { LineSplitter } from '../../../src/platform/serial/serial-port-link.js';

function errorOf(line: string) {
  const parsed = parseRequestLine(line);
  if (parsed.kind !== 'error') throw new Error(`expected an error for ${line}`);
  return parsed.reply;
}

describe('request lines', () => {
  it('a request parses with its id, command and args', () => {
    expect(parseRequestLine('{"v":1,"id":7,"cmd":"status"}')).toEqual({
      kind: 'request',
      request: { v: 1, id: 7, cmd: 'status', args: {} },
    });
    expect(parseRequestLine('{"v":1,"id":"a-1","cmd":"connect","args":{"account":"a@b.c"}}')).toMatchObject({
      request: { id: 'a-1', args: { account: 'a@b.c' } },
    });
  });

  it('each malformed line is refused with its code, naming the field, echoing a usable id', () => {
    expect(errorOf('hello')).toMatchObject({ id: null, ok: false, error: { code: 'bad-json' } });
    expect(errorOf('[1,2]')).toMatchObject({ id: null, error: { code: 'bad-json' } });
    expect(errorOf('{"id":3,"cmd":"ping"}')).toMatchObject({
      id: 3,
      error: { code: 'bad-request', message: expect.stringContaining('"v"') },
    });
    expect(errorOf('{"v":2,"id":3,"cmd":"ping"}')).toMatchObject({ id: 3, error: { code: 'unsupported-version' } });
    expect(errorOf('{"v":1,"cmd":"ping"}')).toMatchObject({
      id: null,
      error: { code: 'bad-request', message: expect.stringContaining('"id"') },
    });
    expect(errorOf('{"v":1,"id":-1,"cmd":"ping"}')).toMatchObject({ id: null, error: { code: 'bad-request' } });
    expect(errorOf('{"v":1,"id":4,"cmd":"reboot"}')).toMatchObject({
      id: 4,
      error: { code: 'unknown-command', message: expect.stringContaining('"reboot"') },
    });
    expect(errorOf('{"v":1,"id":5,"cmd":"ping","args":[1]}')).toMatchObject({
      id: 5,
      error: { code: 'bad-request', message: expect.stringContaining('"args"') },
    });
  });
});

describe('words → args', () => {
  it('fills positionals in order and takes name=value', () => {
    expect(argsFromWords('connect', ['alice@example.com'])).toEqual({ account: 'alice@example.com' });
    expect(argsFromWords('connect', ['alice@example.com', 'APIN', 'service=http://127.0.0.1:1/'])).toEqual({
      account: 'alice@example.com',
      pin: 'APIN',
      service: 'http://127.0.0.1:1/',
    });
    expect(argsFromWords('approve-claim', ['123-456'])).toEqual({ code: '123-456' });
    expect(argsFromWords('approve-claim', ['bob@example.com', '123456'])).toEqual({
      claimant: 'bob@example.com',
      code: '123456',
    });
    expect(argsFromWords('set-service', ['maker', 'https://m.example/'])).toEqual({
      target: 'maker',
      service: 'https://m.example/',
    });
    expect(argsFromWords('ping', ['x'])).toMatch(/unexpected word "x"/);
  });
});

function harness(handle?: (cmd: string) => Reply | Promise<Reply>) {
  const clock = new FakeClock();
  const logger = new RecordingLogger();
  const lines: string[] = [];
  const session = new ProvisioningSession({
    handle: async (request) => (handle === undefined ? okReply(request.id, { pong: true }) : handle(request.cmd)),
    write: (line) => void lines.push(line),
    hello: () => ({ v: 1, event: 'hello', protocol: 1 }),
    clock,
    logger,
  });
  const splitter = new LineSplitter(MAX_LINE_BYTES, (line, info) => session.receiveLine(line, info.oversized));
  const replies = () => lines.map((l) => JSON.parse(l) as Reply & { event?: string });
  return { clock, logger, lines, session, splitter, replies };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('the session', () => {
  it('opens with a hello line; answers a request split over chunks; ignores blank lines and CRs', async () => {
    const h = harness();
    h.session.open();
    for (const part of ['{"v":1,"id":1,', '"cmd":"ping"}\r', '\n\r\n\n  \n']) h.splitter.push(bytes(part));
    await h.session.idle();
    expect(h.replies()).toEqual([
      { v: 1, event: 'hello', protocol: 1 },
      { v: 1, id: 1, ok: true, result: { pong: true } },
    ]);
  });

  it('invalid UTF-8, garbage and over-long lines each get an error reply; the next request is answered', async () => {
    const h = harness();
    h.splitter.push(new Uint8Array([0xff, 0xfe, 0x80, 0x0a]));
    h.splitter.push(bytes('not json\n'));
    h.splitter.push(bytes(`${'x'.repeat(MAX_LINE_BYTES + 10)}`));
    h.splitter.push(bytes(`${'y'.repeat(MAX_LINE_BYTES)}{"v":1,"id":9,"cmd":"ping"}\n`));
    h.splitter.push(bytes('{"v":1,"id":2,"cmd":"ping"}\n'));
    await h.session.idle();
    expect(h.replies().map((r) => (r.ok ? `ok ${String(r.id)}` : r.error.code))).toEqual([
      'bad-encoding',
      'bad-json',
      'line-too-long',
      'ok 2',
    ]);
  });

  it('bad input past the budget is answered once with rate-limited, then counted silently; good requests still answered', async () => {
    const h = harness();
    for (let i = 0; i < 100; i++) h.splitter.push(bytes(`garbage ${i}\n`));
    h.splitter.push(bytes('{"v":1,"id":1,"cmd":"ping"}\n'));
    await h.session.idle();
    const codes = h.replies().map((r) => (r.ok ? 'ok' : r.error.code));
    expect(codes.filter((c) => c === 'bad-json')).toHaveLength(BAD_INPUT_BUCKET.capacity);
    expect(codes.filter((c) => c === 'rate-limited')).toHaveLength(1);
    expect(codes.at(-1)).toBe('ok');
    await h.clock.advance(1_000);
    h.splitter.push(bytes('more garbage\n'));
    const last = h.replies().at(-1) as Reply & { ok: false };
    expect(last.error).toMatchObject({ code: 'bad-json', details: { suppressed: 100 - BAD_INPUT_BUCKET.capacity } });
  });

  it('a handler that throws is an internal error reply, never a throw out of the session', async () => {
    const h = harness(() => {
      throw new TypeError('boom');
    });
    h.splitter.push(bytes('{"v":1,"id":1,"cmd":"status"}\n'));
    await h.session.idle();
    expect(h.replies()).toEqual([
      { v: 1, id: 1, ok: false, error: { code: 'internal', message: 'the device failed to run the command' } },
    ]);
  });

  it('fuzz: any bytes in any chunks never throw, every reply is one JSON line, a ping afterwards is answered', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 30 }), async (chunks) => {
        const h = harness();
        for (const chunk of chunks) h.splitter.push(chunk);
        h.splitter.push(bytes('\n{"v":1,"id":424242,"cmd":"ping"}\n'));
        await h.session.idle();
        for (const line of h.lines) {
          expect(line.includes('\n')).toBe(false);
          JSON.parse(line);
        }
        expect(h.replies().some((r) => r.id === 424242 && r.ok)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('confirmation codes', () => {
  function challenges() {
    const clock = new FakeClock();
    const shown: ShownCode[] = [];
    const c = new ConfirmationChallenges(clock, seededRandom(3), { show: (s) => void shown.push(s) });
    return { clock, shown, c };
  }
  const codeOf = (fn: () => void): string => {
    try {
      fn();
    } catch (error) {
      if (error instanceof ProvisioningCommandError) return error.replyCode;
      throw error;
    }
    return 'ok';
  };

  it('a fresh six-digit code (1–9) per request, shown on the display, used once', () => {
    const { c, shown } = challenges();
    c.issue('factory-reset', 'DEV');
    c.issue('factory-reset', 'DEV');
    expect(shown.map((s) => s.code)).toEqual([
      expect.stringMatching(/^[1-9]{6}$/),
      expect.stringMatching(/^[1-9]{6}$/),
    ]);
    expect(shown[0]!.code).not.toBe(shown[1]!.code);
    // The first was replaced by the second.
    expect(codeOf(() => c.redeem('factory-reset', 'DEV', shown[0]!.code))).toBe('bad-code');
    const second = shown[1]!.code;
    expect(codeOf(() => c.redeem('factory-reset', 'DEV', `${second.slice(0, 3)}-${second.slice(3)}`))).toBe('ok');
    expect(codeOf(() => c.redeem('factory-reset', 'DEV', second))).toBe('code-expired');
  });

  it('bound to its action and target; expires; three wrong tries void it', async () => {
    const { c, shown, clock } = challenges();
    c.issue('approve-claim', 'bob@example.com');
    const code = shown[0]!.code;
    expect(codeOf(() => c.redeem('factory-reset', 'DEV', code))).toBe('code-expired');
    expect(codeOf(() => c.redeem('approve-claim', 'carol@example.com', code))).toBe('code-expired');
    c.issue('approve-claim', 'bob@example.com');
    await clock.advance(CODE_LIFETIME_MS);
    expect(codeOf(() => c.redeem('approve-claim', 'bob@example.com', shown[1]!.code))).toBe('code-expired');
    c.issue('approve-claim', 'bob@example.com');
    const outcomes = Array.from({ length: MAX_ATTEMPTS }, () =>
      codeOf(() => c.redeem('approve-claim', 'bob@example.com', '000000')),
    );
    expect(outcomes).toEqual([...Array(MAX_ATTEMPTS - 1).fill('bad-code'), 'code-expired']);
    expect(codeOf(() => c.redeem('approve-claim', 'bob@example.com', shown[2]!.code))).toBe('code-expired');
  });

  it('drawing codes is rate limited', () => {
    const { c } = challenges();
    const outcomes = Array.from({ length: CODE_BUCKET.capacity + 1 }, () =>
      codeOf(() => c.issue('factory-reset', 'DEV')),
    );
    expect(outcomes.at(-1)).toBe('rate-limited');
    expect(outcomes.slice(0, -1).every((o) => o === 'ok')).toBe(true);
  });
});
