/**
 * @module service/service-config
 * The service's tunable bounds, in one place so tests can shrink them and the defaults are
 * documented beside the rule they implement (docs/service-protocol.md).
 */
import { RESERVED_LOCAL_PARTS } from './account-names.js';
import { DEFAULT_RATE_LIMITS, type RateLimitConfig } from './rate-limit/rate-limit-config.js';

export interface AccountPolicy {
  /** Shortest user part (ValidateResponse.Minimum; architecture-03 §8 example: 1). */
  readonly minimum: number;
  /** Longest user part (ValidateResponse.Maximum). */
  readonly maximum: number;
  /** Characters refused in the user part (ValidateResponse.InvalidCharacters; the seed's example list). */
  readonly invalidCharacters: string;
  /** User parts refused at CreateAccount and ValidateAccount (account-names RESERVED_LOCAL_PARTS). */
  readonly reservedLocalParts: readonly string[];
  /** Domains whose accounts this service hosts (`--domain`, lower case); empty hosts any. */
  readonly hostedDomains: readonly string[];
}

export interface ServiceConfig {
  readonly account: AccountPolicy;
  /** Token buckets per source and per account on the front door (docs/security.md "Rate limits"). */
  readonly rateLimits: RateLimitConfig;
  /** How long a connection request stays pending before ConnectStatus reports Expired (24 h). */
  readonly pendingLifetimeMs: number;
  /** ConnectStatus RetryAfter while pending (seconds). */
  readonly retryAfterSeconds: number;
  /** Accepted distance between a signed request's `created` and the service clock (±300 s). */
  readonly clockSkewMs: number;
  /** How long a seen request nonce is remembered (600 s ≥ twice the skew window). */
  readonly nonceLifetimeMs: number;
  /** Failed PIN attempts per account within `pinFailureWindowMs` that lock PIN use out. */
  readonly pinFailureLimit: number;
  readonly pinFailureWindowMs: number;
  /** How long PIN use stays locked once the bound is reached. */
  readonly pinLockoutMs: number;
  /** Most entries one Get / ConnectPending / Transfer page returns. */
  readonly maxPageEntries: number;
  /** Retries of a read-modify-write that lost an optimistic-concurrency race. */
  readonly conflictRetries: number;
  /**
   * Front-door bounds (docs/security.md "Size limits"): UTF-8 bytes of a ConnectStart's
   * EnvelopedRequestConnection and of a Claim's EnvelopedMessageClaim as JSON, and characters
   * of the free text a device or claimant supplies (ProfileDevice.Description).
   */
  readonly maxConnectRequestBytes: number;
  readonly maxClaimBytes: number;
  readonly maxDescriptionLength: number;
  /** Serialised bytes of one Get / ConnectPending / Transfer page, whatever MaxBytes asks. */
  readonly maxPageBytes: number;
  /** Store records one listing may read past filtered-out entries before it returns a PageKey. */
  readonly maxScanRecords: number;
  /** Live requests without a validated PIN per account (docs/security.md "Pending requests per account"). */
  readonly maxPendingUnvalidated: number;
  /** How long an expired request, PIN or claim is kept so its owner can still learn it expired. */
  readonly expiredRetentionMs: number;
  /** How long a claim stays filed for the device's PollClaim. */
  readonly claimLifetimeMs: number;
  /** Failed PIN attempts naming no registered PinId, per source, within `pinFailureWindowMs`. */
  readonly pinSourceFailureLimit: number;
}

export const DEFAULT_SERVICE_CONFIG: ServiceConfig = Object.freeze({
  account: Object.freeze({
    minimum: 1,
    maximum: 64,
    invalidCharacters: '.,:;{}()[]<>?|\\@#',
    reservedLocalParts: RESERVED_LOCAL_PARTS,
    hostedDomains: Object.freeze([]) as readonly string[],
  }),
  rateLimits: DEFAULT_RATE_LIMITS,
  pendingLifetimeMs: 24 * 60 * 60 * 1000,
  retryAfterSeconds: 5,
  clockSkewMs: 300_000,
  nonceLifetimeMs: 600_000,
  pinFailureLimit: 5,
  pinFailureWindowMs: 15 * 60 * 1000,
  pinLockoutMs: 15 * 60 * 1000,
  maxPageEntries: 100,
  conflictRetries: 8,
  // A real device's RequestConnection is about 3 KiB (docs/security.md "Size limits").
  maxConnectRequestBytes: 16 * 1024,
  maxClaimBytes: 16 * 1024,
  maxDescriptionLength: 256,
  // A quarter of the owner CLI's 4 MiB answer cap.
  maxPageBytes: 1024 * 1024,
  maxScanRecords: 5000,
  maxPendingUnvalidated: 64,
  expiredRetentionMs: 24 * 60 * 60 * 1000,
  claimLifetimeMs: 24 * 60 * 60 * 1000,
  pinSourceFailureLimit: 5,
});

export function resolveConfig(overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  return Object.freeze({
    ...DEFAULT_SERVICE_CONFIG,
    ...overrides,
    account: { ...DEFAULT_SERVICE_CONFIG.account, ...overrides.account },
  });
}
