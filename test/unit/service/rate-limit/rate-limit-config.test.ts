/**
 * @module test/unit/service/rate-limit/rate-limit-config.test
 * The operator's `--rate-limit` settings: off/on, scale, one bucket, and bad settings named.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, applyRateLimitSettings } from '../../../../src/service/rate-limit/rate-limit-config.js';

describe('rate limit settings', () => {
  it('turns limits off and on, in order', () => {
    expect(applyRateLimitSettings(DEFAULT_RATE_LIMITS, ['off']).enabled).toBe(false);
    expect(applyRateLimitSettings(DEFAULT_RATE_LIMITS, ['off', 'on']).enabled).toBe(true);
  });

  it('scales every bucket', () => {
    const scaled = applyRateLimitSettings(DEFAULT_RATE_LIMITS, ['scale=10']);
    expect(scaled.classes.ConnectStart?.source).toEqual({
      burst: (DEFAULT_RATE_LIMITS.classes.ConnectStart?.source?.burst as number) * 10,
      perMinute: (DEFAULT_RATE_LIMITS.classes.ConnectStart?.source?.perMinute as number) * 10,
    });
    expect(scaled.classes.PollClaim?.account).toBeUndefined();
  });

  it('sets or removes one bucket, leaving the others', () => {
    const set = applyRateLimitSettings(DEFAULT_RATE_LIMITS, [
      'ConnectStart.source=5/2',
      'Claim.account=off',
      'PollClaim.account=100/600',
    ]);
    expect(set.classes.ConnectStart?.source).toEqual({ burst: 5, perMinute: 2 });
    expect(set.classes.ConnectStart?.account).toEqual(DEFAULT_RATE_LIMITS.classes.ConnectStart?.account);
    expect(set.classes.Claim?.account).toBeUndefined();
    expect(set.classes.Claim?.source).toEqual(DEFAULT_RATE_LIMITS.classes.Claim?.source);
    expect(set.classes.PollClaim?.account).toEqual({ burst: 100, perMinute: 600 });
  });

  it('refuses a bad setting, naming it and what was expected', () => {
    for (const [bad, expected] of [
      ['sideways', /rate limit setting "sideways": expected off, on, scale=F/],
      ['Hello.source=1/1', /"Hello\.source=1\/1": expected a class among ConnectStart, Claim/],
      ['ConnectStart.peer=1/1', /"ConnectStart\.peer=1\/1": expected off, on/],
      ['ConnectStart.source=0/1', /expected a burst of at least 1/],
      ['scale=0', /expected a scale factor above 0/],
    ] as const) {
      expect(() => applyRateLimitSettings(DEFAULT_RATE_LIMITS, [bad])).toThrow(expected);
    }
  });
});
