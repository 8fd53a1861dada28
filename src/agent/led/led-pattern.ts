/**
 * @module agent/led/led-pattern
 * What the status LED shows in each state of the device, as on/off steps played
 * in a loop. The timings are the reference for docs/led-and-console.md; the
 * tests assert them write by write.
 *
 * | state | pattern | reads as |
 * |---|---|---|
 * | unprovisioned | on 100 ms, off 1900 ms | a blip every 2 s: alive, no owner configured, claimed or asking |
 * | waiting | the check code of each pending witness (below) | an owner must compare and accept |
 * | connecting | on 250 ms, off 250 ms | an even 2 Hz blink: asking a service, no witness yet |
 * | connected | on 4900 ms, off 100 ms | steady on with a dip every 5 s (a hung agent leaves no dip) |
 * | error | on 100, off 100, on 100, off 100, on 100, off 1100 ms | three quick flashes every 1.6 s |
 * | off | off | the agent stopped |
 *
 * The check code (check-code.ts) of one witness is one frame: a long START flash (on 1500 ms,
 * off 1000 ms); then, for each of the four digits d (1–9), d short flashes (on 250 ms, off
 * 350 ms), the off time of a digit's last flash stretched to 1250 ms between digits and to
 * 2500 ms after the fourth digit. Several pending witnesses play their frames in turn, in the
 * order given (owner account order), and the whole sequence repeats.
 */

import { InvalidArgumentError } from '../../crypto/errors.js';

export interface LedStep {
  readonly on: boolean;
  readonly ms: number;
}

/** Steps played in order, then again from the first. */
export type LedPattern = readonly LedStep[];

export type LedState =
  | { readonly kind: 'unprovisioned' }
  | { readonly kind: 'waiting'; readonly checkCodes: readonly string[] }
  | { readonly kind: 'connecting' }
  | { readonly kind: 'connected' }
  | { readonly kind: 'error' }
  | { readonly kind: 'off' };

export const CHECK_CODE_TIMING = Object.freeze({
  startOnMs: 1500,
  startOffMs: 1000,
  flashOnMs: 250,
  flashOffMs: 350,
  betweenDigitsOffMs: 1250,
  afterCodeOffMs: 2500,
});

const on = (ms: number): LedStep => ({ on: true, ms });
const off = (ms: number): LedStep => ({ on: false, ms });

export const UNPROVISIONED_PATTERN: LedPattern = [on(100), off(1900)];
export const CONNECTING_PATTERN: LedPattern = [on(250), off(250)];
export const CONNECTED_PATTERN: LedPattern = [on(4900), off(100)];
export const ERROR_PATTERN: LedPattern = [on(100), off(100), on(100), off(100), on(100), off(1100)];
export const OFF_PATTERN: LedPattern = [off(60_000)];

/** One frame of a check code: START, then each digit as that many flashes (module comment). */
export function checkCodePattern(code: string): LedPattern {
  const t = CHECK_CODE_TIMING;
  if (!/^[1-9]+$/.test(code)) {
    throw new InvalidArgumentError(
      `"code" expected digits 1-9 (a check code), got ${JSON.stringify(code.slice(0, 16))}`,
      { context: { what: 'code' } },
    );
  }
  const digits = [...code].map((c) => c.charCodeAt(0) - 48);
  const steps: LedStep[] = [on(t.startOnMs), off(t.startOffMs)];
  digits.forEach((d, index) => {
    for (let flash = 1; flash <= d; flash++) {
      const last = flash === d;
      const gap = !last ? t.flashOffMs : index === digits.length - 1 ? t.afterCodeOffMs : t.betweenDigitsOffMs;
      steps.push(on(t.flashOnMs), off(gap));
    }
  });
  return steps;
}

export function patternFor(state: LedState): LedPattern {
  switch (state.kind) {
    case 'unprovisioned':
      return UNPROVISIONED_PATTERN;
    case 'waiting':
      return state.checkCodes.length === 0 ? CONNECTING_PATTERN : state.checkCodes.flatMap((c) => checkCodePattern(c));
    case 'connecting':
      return CONNECTING_PATTERN;
    case 'connected':
      return CONNECTED_PATTERN;
    case 'error':
      return ERROR_PATTERN;
    case 'off':
      return OFF_PATTERN;
  }
}

/** Two states that play the same pattern are the same state (no restart of the pattern). */
export function sameLedState(a: LedState, b: LedState): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'waiting' && b.kind === 'waiting') return a.checkCodes.join(',') === b.checkCodes.join(',');
  return true;
}
