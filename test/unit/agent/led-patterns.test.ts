/**
 * @module test/unit/agent/led-patterns.test
 * The status LED's patterns write by write: the real kernel-LED adapter on a fake
 * sysfs tree, the pattern player on vitest's fake timers; each test asserts every value
 * written to `brightness` with its time. Then the LED state derived from the agent's status
 * (waiting beats error beats connecting beats connected beats unprovisioned), a check code
 * never restarted by an unrelated save, a failing LED reported once, and close giving the
 * LED back.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentStatus, OwnerStatus } from '../../../src/agent/agent-status.js';
import { deviceDisplay } from '../../../src/agent/announce/device-display.js';
import { checkCode } from '../../../src/agent/check-code.js';
import { CHECK_CODE_TIMING, checkCodePattern, patternFor, type LedState } from '../../../src/agent/led/led-pattern.js';
import { LedPlayer, type LedTimer } from '../../../src/agent/led/led-player.js';
import { StatusLed } from '../../../src/agent/led/status-led.js';
import { InvalidArgumentError } from '../../../src/crypto/errors.js';
import { KernelLed } from '../../../src/platform/led/kernel-led.js';
import { FakeSysfs } from '../../../src/platform/led/fake-sysfs.js';

const BRIGHTNESS = 'class/leds/ACT/brightness';
const WITNESS_A = 'NBXW-NVYA-6Q4H-2ZMJ-JH2C-3YQP-E7RD';
const WITNESS_B = 'GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T';

/** Fake timers, injected as the player's timer (setTimeout is vitest's while faked). */
const fakeTimer: LedTimer = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

let sysfs: FakeSysfs;
let led: StatusLed;
let player: LedPlayer;
const errors: unknown[] = [];

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-21T10:00:00Z') });
  sysfs = new FakeSysfs();
  sysfs.addLed('ACT');
  errors.length = 0;
  player = new LedPlayer(
    KernelLed.open({ name: 'ACT', activeLow: false, root: sysfs.ledsRoot, files: sysfs.files }),
    fakeTimer,
    (e) => errors.push(e),
  );
  led = new StatusLed(player);
  sysfs.writes.length = 0;
  sysfs.t0 = Date.now();
});
afterEach(() => {
  player.close();
  vi.useRealTimers();
  sysfs.remove();
});

/** Plays `state` for `ms` and returns the brightness writes as [ms, value]. */
async function play(state: LedState, ms: number): Promise<Array<[number, string]>> {
  led.showState(state);
  await vi.advanceTimersByTimeAsync(ms);
  return sysfs.timeline(BRIGHTNESS);
}

describe('patterns, write by write', () => {
  it('unprovisioned: a 100 ms blip every 2 s', async () => {
    expect(await play({ kind: 'unprovisioned' }, 6000)).toEqual([
      [0, '1'],
      [100, '0'],
      [2000, '1'],
      [2100, '0'],
      [4000, '1'],
      [4100, '0'],
      [6000, '1'],
    ]);
  });

  it('connecting: an even 2 Hz blink', async () => {
    expect(await play({ kind: 'connecting' }, 1250)).toEqual([
      [0, '1'],
      [250, '0'],
      [500, '1'],
      [750, '0'],
      [1000, '1'],
      [1250, '0'],
    ]);
  });

  it('connected: steady on with a 100 ms dip every 5 s', async () => {
    expect(await play({ kind: 'connected' }, 10_000)).toEqual([
      [0, '1'],
      [4900, '0'],
      [5000, '1'],
      [9900, '0'],
      [10_000, '1'],
    ]);
  });

  it('error: three quick flashes every 1.6 s', async () => {
    expect(await play({ kind: 'error' }, 1700)).toEqual([
      [0, '1'],
      [100, '0'],
      [200, '1'],
      [300, '0'],
      [400, '1'],
      [500, '0'],
      [1600, '1'],
      [1700, '0'],
    ]);
  });

  it('off: dark, and nothing more', async () => {
    led.showState({ kind: 'connected' });
    expect(await play({ kind: 'off' }, 120_000)).toEqual([
      [0, '1'],
      [0, '0'],
    ]);
  });

  it('a check code: START, then each digit as that many flashes, then the pause before repeating', async () => {
    // Code 2131: START 1500/1000; "2": 250 on, 350 off, 250 on, 1250 off; "1": 250 on, 1250 off;
    // "3": 250/350, 250/350, 250/1250; "1": 250 on, 2500 off; then START again at 11 550 ms.
    expect(await play({ kind: 'waiting', checkCodes: ['2131'] }, 11_550)).toEqual([
      [0, '1'],
      [1500, '0'],
      [2500, '1'],
      [2750, '0'],
      [3100, '1'],
      [3350, '0'],
      [4600, '1'],
      [4850, '0'],
      [6100, '1'],
      [6350, '0'],
      [6700, '1'],
      [6950, '0'],
      [7300, '1'],
      [7550, '0'],
      [8800, '1'],
      [9050, '0'],
      [11_550, '1'],
    ]);
    expect(CHECK_CODE_TIMING).toEqual({
      startOnMs: 1500,
      startOffMs: 1000,
      flashOnMs: 250,
      flashOffMs: 350,
      betweenDigitsOffMs: 1250,
      afterCodeOffMs: 2500,
    });
  });

  it('the flashes between two STARTs count out the code of the witness', async () => {
    const code = checkCode(WITNESS_A);
    const frame = checkCodePattern(code).reduce((sum, step) => sum + step.ms, 0);
    const writes = await play({ kind: 'waiting', checkCodes: [code] }, 2 * frame);
    // Read the LED as a person would: a long flash starts, short flashes count, long pauses separate.
    const counted: number[][] = [];
    for (let i = 0; i + 1 < writes.length; i++) {
      const [at, value] = writes[i]!;
      if (value !== '1') continue;
      const length = writes[i + 1]![0] - at;
      if (length === 1500) counted.push([]);
      else {
        const gapBefore = at - writes[i - 1]![0];
        const digits = counted[counted.length - 1]!;
        if (gapBefore === 1000 || gapBefore >= 1250) digits.push(1);
        else digits[digits.length - 1]! += 1;
      }
    }
    expect(counted.map((d) => d.join(''))).toEqual([code, code]);
  });

  it('two pending witnesses: their frames in turn', async () => {
    const a = checkCode(WITNESS_A);
    const b = checkCode(WITNESS_B);
    expect(patternFor({ kind: 'waiting', checkCodes: [a, b] })).toEqual([
      ...checkCodePattern(a),
      ...checkCodePattern(b),
    ]);
  });

  it('refuses a code that cannot be blinked', () => {
    expect(() => checkCodePattern('1203')).toThrow(InvalidArgumentError);
    expect(() => checkCodePattern('12a3')).toThrow(/"code" expected digits 1-9/);
  });
});

function status(owners: Partial<OwnerStatus>[], claims?: AgentStatus['claims']): AgentStatus {
  return {
    Format: 'mesh-agent-status/1',
    version: 'test',
    running: true,
    updated: '2026-11-21T10:00:00.000Z',
    device: { udf: 'MDEV-ICE0-0000', mode: 'factory', connectUri: 'mcu://maker@example.com/AAAA-BBBB' },
    keystore: { tier: 'file', description: 'files' },
    owners: owners.map(
      (o, i) =>
        ({
          account: `o${i}@example.com`,
          service: 'https://example.com/',
          origin: 'config',
          state: 'new',
          since: '2026-11-21T10:00:00.000Z',
          ...o,
        }) as OwnerStatus,
    ),
    ...(claims === undefined ? {} : { claims }),
  };
}

describe('the LED state follows the status', () => {
  const claims = (extra: object) => ({
    maker: 'maker@example.com',
    service: 'https://maker.example.com/',
    additionalClaims: 'reject',
    held: [],
    ...extra,
  });
  const err = { message: 'TransportUnavailableError: connection refused', at: '2026-11-21T10:00:05.000Z' };

  it.each([
    ['no owner: unprovisioned', status([]), { kind: 'unprovisioned' }],
    [
      'only rejected and revoked owners: unprovisioned',
      status([{ state: 'rejected' }, { state: 'revoked' }]),
      { kind: 'unprovisioned' },
    ],
    ['an owner asking: connecting', status([{ state: 'new' }]), { kind: 'connecting' }],
    [
      'a claim being answered (pending, no witness): connecting',
      status([{ state: 'pending' }]),
      { kind: 'connecting' },
    ],
    ['connected', status([{ state: 'connected' }]), { kind: 'connected' }],
    [
      'a failing ConnectStart: error',
      status([{ state: 'new', lastError: err }, { state: 'connected' }]),
      { kind: 'error' },
    ],
    [
      'a connected owner with an old error: connected',
      status([{ state: 'connected', lastError: err }]),
      { kind: 'connected' },
    ],
    [
      'the maker unreachable at the latest poll: error',
      status([], claims({ lastPoll: '2026-11-21T10:00:00.000Z', lastError: err })),
      { kind: 'error' },
    ],
    [
      'an older maker error: unprovisioned',
      status([], claims({ lastPoll: '2026-11-21T10:00:09.000Z', lastError: err })),
      { kind: 'unprovisioned' },
    ],
    [
      'a refused claim is not a device error',
      status([], claims({ lastError: { kind: 'claim-refused', message: 'claim refused: bad signature', at: err.at } })),
      { kind: 'unprovisioned' },
    ],
    [
      'a pending witness beats an error: waiting with its code',
      status([
        { state: 'new', lastError: err },
        { state: 'pending', witness: WITNESS_A },
      ]),
      { kind: 'waiting', checkCodes: [checkCode(WITNESS_A)] },
    ],
    [
      'two pending witnesses: both codes, in account order',
      status([
        { state: 'pending', witness: WITNESS_A },
        { state: 'pending', witness: WITNESS_B },
      ]),
      { kind: 'waiting', checkCodes: [checkCode(WITNESS_A), checkCode(WITNESS_B)] },
    ],
  ])('%s', (_name, s, expected) => {
    expect(deviceDisplay(s).led).toEqual(expected);
  });

  it('a save that sums up the same leaves the check code running; a change restarts at once', async () => {
    const waiting = status([{ state: 'pending', witness: WITNESS_A }]);
    led.show(waiting);
    await vi.advanceTimersByTimeAsync(3000);
    led.show({ ...waiting, updated: '2026-11-21T10:00:03.000Z' });
    await vi.advanceTimersByTimeAsync(1000);
    const frame = checkCodePattern(checkCode(WITNESS_A));
    const expected: Array<[number, string]> = [];
    let t = 0;
    for (const step of frame) {
      if (t > 4000) break;
      if (expected.length === 0 || expected[expected.length - 1]![1] !== (step.on ? '1' : '0'))
        expected.push([t, step.on ? '1' : '0']);
      t += step.ms;
    }
    expect(sysfs.timeline(BRIGHTNESS)).toEqual(expected);
    // Accepted: connected, from this instant.
    sysfs.writes.length = 0;
    sysfs.t0 = Date.now();
    led.show(status([{ state: 'connected', witness: WITNESS_A }]));
    await vi.advanceTimersByTimeAsync(5000);
    const connected = sysfs.timeline(BRIGHTNESS);
    expect(connected.at(-2)).toEqual([4900, '0']);
    expect(connected.at(-1)).toEqual([5000, '1']);
    expect(led.state).toEqual({ kind: 'connected' });
  });

  it('close darkens the LED, restores the trigger and stops the timer', async () => {
    await play({ kind: 'connecting' }, 300);
    await led.close();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sysfs.writes.slice(-2).map((w) => [w.file, w.text])).toEqual([
      [BRIGHTNESS, '0'],
      ['class/leds/ACT/trigger', 'mmc0'],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a failing LED is reported once per pattern and the pattern goes on', async () => {
    sysfs.failWrites = 'EIO';
    led.showState({ kind: 'connecting' });
    await vi.advanceTimersByTimeAsync(2000);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/cannot write "1" to .*brightness \(EIO\)/);
    sysfs.failWrites = undefined;
    await vi.advanceTimersByTimeAsync(250);
    expect(sysfs.timeline(BRIGHTNESS).length).toBeGreaterThan(0);
  });
});
