/**
 * @module service/rate-limit/rate-limit-config
 * Which transactions are rate-limited, with what buckets by default, and the operator's
 * `--rate-limit` settings (docs/security.md "Rate limits" gives each default's reasoning).
 *
 * The defaults are sized so that honest use never meets them: a device sends ConnectStart
 * once and then retries on its backoff schedule; a home or office behind one NAT address
 * connects a few devices a minute; a factory batch publishes with Publish (owner-signed,
 * not limited here), so a batch from one address is never throttled; PollClaim is a device
 * polling every few tens of seconds.
 */
import type { BucketSpec } from './token-bucket.js';

/** The transactions with limits, named as the transactions are. */
export const RATE_LIMIT_CLASSES = ['ConnectStart', 'Claim', 'PollClaim', 'CreateAccount', 'PinRegister'] as const;
export type RateLimitClass = (typeof RATE_LIMIT_CLASSES)[number];

/** A class's buckets; an absent one is not limited. */
export interface ClassLimits {
  readonly source?: BucketSpec;
  readonly account?: BucketSpec;
}

export interface RateLimitConfig {
  /** `--rate-limit off` turns every bucket off. */
  readonly enabled: boolean;
  readonly classes: Readonly<Partial<Record<RateLimitClass, ClassLimits>>>;
  /** Most buckets kept per (class, kind) table; beyond it the idle ones are forgotten. */
  readonly maxTrackedKeys: number;
}

const bucket = (burst: number, perMinute: number): BucketSpec => Object.freeze({ burst, perMinute });

export const DEFAULT_RATE_LIMITS: RateLimitConfig = Object.freeze({
  enabled: true,
  maxTrackedKeys: 50_000,
  classes: Object.freeze({
    // One per device; a NAT'd home connects a handful. The account bucket bounds a flood
    // from many sources at one owner (the pending cap bounds what it can store).
    ConnectStart: Object.freeze({ source: bucket(60, 60), account: bucket(120, 120) }),
    // Someone scanning labels claims a few devices; the account is the maker's, which every
    // buyer claims from, so its bucket is wide.
    Claim: Object.freeze({ source: bucket(30, 30), account: bucket(600, 600) }),
    // A device polls every few tens of seconds; a test bench of devices behind one address
    // polls faster. No account bucket: the account is the maker's, polled by its whole fleet.
    PollClaim: Object.freeze({ source: bucket(240, 480) }),
    // Accounts are made rarely; the account bucket stops hammering one name.
    CreateAccount: Object.freeze({ source: bucket(30, 10), account: bucket(10, 2) }),
    // Owner-signed: the account bucket counts only requests that verified, so a stranger
    // cannot drain it; one PIN per device an owner connects.
    PinRegister: Object.freeze({ source: bucket(60, 60), account: bucket(60, 30) }),
  }),
});

/** Limits that refuse nothing: the same checks run, with buckets no load reaches. */
export function scaledLimits(config: RateLimitConfig, factor: number): RateLimitConfig {
  const classes: Partial<Record<RateLimitClass, ClassLimits>> = {};
  for (const name of RATE_LIMIT_CLASSES) {
    const limits = config.classes[name];
    if (limits === undefined) continue;
    classes[name] = {
      ...(limits.source === undefined
        ? {}
        : { source: bucket(limits.source.burst * factor, limits.source.perMinute * factor) }),
      ...(limits.account === undefined
        ? {}
        : { account: bucket(limits.account.burst * factor, limits.account.perMinute * factor) }),
    };
  }
  return { ...config, classes };
}

/**
 * Applies `--rate-limit` settings, in order, to `base`. Each is one of:
 * - `off` / `on`: all limits off or on;
 * - `scale=F`: every burst and refill multiplied by F (F > 0);
 * - `CLASS.KIND=BURST/PER_MINUTE` or `CLASS.KIND=off`, e.g. `ConnectStart.source=60/60`.
 *
 * @throws RangeError naming the setting and what was expected.
 */
export function applyRateLimitSettings(base: RateLimitConfig, settings: readonly string[]): RateLimitConfig {
  let config = base;
  for (const setting of settings) {
    const fail = (expected: string): never => {
      throw new RangeError(`rate limit setting ${JSON.stringify(setting.slice(0, 80))}: expected ${expected}`);
    };
    if (setting === 'off' || setting === 'on') {
      config = { ...config, enabled: setting === 'on' };
      continue;
    }
    const scale = /^scale=(\d+(?:\.\d+)?)$/.exec(setting);
    if (scale !== null) {
      const factor = Number(scale[1]);
      if (!(factor > 0)) fail('a scale factor above 0');
      config = scaledLimits(config, factor);
      continue;
    }
    const one = /^([A-Za-z]+)\.(source|account)=(?:(off)|(\d+)\/(\d+(?:\.\d+)?))$/.exec(setting);
    if (one === null) {
      return fail(
        `off, on, scale=F or CLASS.source|account=BURST/PER_MINUTE|off with CLASS one of ${RATE_LIMIT_CLASSES.join(', ')}`,
      );
    }
    const name = one[1] as RateLimitClass;
    if (!RATE_LIMIT_CLASSES.includes(name)) fail(`a class among ${RATE_LIMIT_CLASSES.join(', ')}`);
    const kind = one[2] as 'source' | 'account';
    const burst = Number(one[4]);
    if (one[3] === undefined && !(burst >= 1)) fail('a burst of at least 1');
    const { [kind]: _dropped, ...kept } = config.classes[name] ?? {};
    const limits: ClassLimits = one[3] === undefined ? { ...kept, [kind]: bucket(burst, Number(one[5])) } : kept;
    config = { ...config, classes: { ...config.classes, [name]: limits } };
  }
  return config;
}
