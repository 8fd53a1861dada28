/**
 * @module agent/provisioning/confirmation-challenges
 * Codes that prove the technician can see the device: approve-claim and
 * factory-reset act only with a code the device has just shown on its console (and LED),
 * never on the serial line itself. Each request without a code draws a fresh one:
 *
 * - 6 digits from 1 to 9 (no 0, so an LED can blink each digit as a count), 9^6 ≈ 2^19;
 * - bound to one action and its target (a code for approving bob's claim approves nothing
 *   else, and does not reset the device);
 * - valid for CODE_LIFETIME_MS, for one use, and for MAX_ATTEMPTS wrong tries, after which
 *   it is void and a new one must be drawn;
 * - drawing is rate limited (CODE_BUCKET), so at most a few guesses per minute reach any
 *   code: ~4·10⁻⁶ per code, under 10⁻³ for a day of trying.
 *
 * A new request for the same action replaces the outstanding code. Codes never appear in a
 * reply, a log field, or the status; only the display port shows them.
 */
import { PROVISIONING_ERRORS } from './provisioning-errors.js';
import type { Clock } from '../../crypto/clock.js';
import type { RandomSource } from '../../crypto/random.js';
import { TokenBucket } from './rate-limiter.js';

export const CODE_DIGITS = 6;
export const CODE_LIFETIME_MS = 120_000;
export const MAX_ATTEMPTS = 3;
/** 5 codes at once, then one per 20 s. */
export const CODE_BUCKET = { capacity: 5, perSecond: 1 / 20 } as const;

export type ConfirmedAction = 'approve-claim' | 'factory-reset';

export interface ShownCode {
  readonly action: ConfirmedAction;
  /** The claimant for approve-claim; the device UDF for factory-reset. */
  readonly target: string;
  readonly code: string;
  readonly expiresAt: Date;
}

/** Shows a code to whoever stands at the device: console, LED, log. */
export interface ConfirmationDisplay {
  show(code: ShownCode): void;
}

interface Outstanding extends ShownCode {
  attemptsLeft: number;
}

/** Digits with spaces, dashes or dots removed. */
export function normalizeShownCode(text: string): string {
  return text.replace(/[\s.-]/g, '');
}

export class ConfirmationChallenges {
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #display: ConfirmationDisplay;
  readonly #bucket: TokenBucket;
  readonly #outstanding = new Map<ConfirmedAction, Outstanding>();

  constructor(clock: Clock, random: RandomSource, display: ConfirmationDisplay) {
    this.#clock = clock;
    this.#random = random;
    this.#display = display;
    this.#bucket = new TokenBucket(clock, CODE_BUCKET.capacity, CODE_BUCKET.perSecond);
  }

  #draw(): string {
    let code = '';
    while (code.length < CODE_DIGITS) {
      for (const byte of this.#random(CODE_DIGITS * 2)) {
        // Rejection sampling: 252 = 28 × 9 keeps every digit equally likely.
        if (byte < 252 && code.length < CODE_DIGITS) code += String(1 + (byte % 9));
      }
    }
    return code;
  }

  /**
   * Draws and shows a fresh code for `action` on `target`, replacing any outstanding one.
   * @throws ProvisioningCommandError `rate-limited` when codes are drawn too fast
   */
  issue(action: ConfirmedAction, target: string): { expiresInSeconds: number } {
    if (!this.#bucket.take()) {
      throw PROVISIONING_ERRORS.rateLimited(
        `too many confirmation codes asked for; wait ${this.#bucket.waitSeconds()} s`,
        this.#bucket.waitSeconds(),
      );
    }
    const expiresAt = new Date(this.#clock.now().getTime() + CODE_LIFETIME_MS);
    const shown: Outstanding = { action, target, code: this.#draw(), expiresAt, attemptsLeft: MAX_ATTEMPTS };
    this.#outstanding.set(action, shown);
    this.#display.show({ action, target, code: shown.code, expiresAt });
    return { expiresInSeconds: CODE_LIFETIME_MS / 1000 };
  }

  /**
   * Checks `code` for `action` on `target`; a match is used up. Wrong codes count against
   * the code's attempts.
   * @throws ProvisioningCommandError `code-expired` or `bad-code`
   */
  redeem(action: ConfirmedAction, target: string, code: string): void {
    const outstanding = this.#outstanding.get(action);
    const now = this.#clock.now().getTime();
    if (outstanding === undefined || outstanding.attemptsLeft <= 0 || now >= outstanding.expiresAt.getTime()) {
      this.#outstanding.delete(action);
      throw PROVISIONING_ERRORS.codeExpired(
        `no valid confirmation code for ${action}: send the command without a code to have the device show a fresh one`,
      );
    }
    if (outstanding.target !== target) {
      this.#outstanding.delete(action);
      throw PROVISIONING_ERRORS.codeExpired(
        `the code shown was for ${action} of another target; send the command without a code to have the device show a fresh one`,
      );
    }
    if (constantTimeEqual(normalizeShownCode(code), outstanding.code)) {
      this.#outstanding.delete(action);
      return;
    }
    outstanding.attemptsLeft -= 1;
    if (outstanding.attemptsLeft <= 0) {
      this.#outstanding.delete(action);
      throw PROVISIONING_ERRORS.codeExpired(
        `wrong confirmation code, and no attempts are left for it; send the command without a code for a fresh one`,
      );
    }
    throw PROVISIONING_ERRORS.badCode(
      `wrong confirmation code for ${action}; read it from the device's console`,
      outstanding.attemptsLeft,
    );
  }

  /** Forgets every outstanding code (a factory reset, a restart). */
  clear(): void {
    this.#outstanding.clear();
  }
}

function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a.charCodeAt(i) | 0) ^ b.charCodeAt(i);
  return diff === 0;
}
