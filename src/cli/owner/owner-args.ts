/**
 * @module cli/owner/owner-args
 * Arguments the owner commands share: `--home`, `--roles r1,r2`, `--expires 1h`, and the
 * witness-or-UDF selector of `device accept|reject|revoke`. Each error is a UsageError
 * naming the argument (exit 2).
 */
import { UsageError } from '../cli-errors.js';
import type { ParsedCommandArgs } from '../command.js';
import { defaultHome } from './owner-home.js';

/** Every owner command takes `--home` and `--allow-insecure-http` (transport-policy.ts). */
export const HOME_OPTION = { home: { type: 'string' }, 'allow-insecure-http': { type: 'boolean' } } as const;

/** `--allow-insecure-http`: plain http:// to a service that is not on loopback (docs/security.md "Transport"). */
export function insecureHttpOption(args: ParsedCommandArgs): boolean {
  return args.values['allow-insecure-http'] === true;
}

/** `--home`, else the XDG default; UsageError if there is neither. */
export function homeDirectory(args: ParsedCommandArgs, env: Readonly<Record<string, string | undefined>>): string {
  const raw = args.values['home'];
  if (raw !== undefined) {
    if (typeof raw !== 'string' || raw === '') throw new UsageError('expected a directory', '--home');
    return raw;
  }
  const fallback = defaultHome(env);
  if (fallback === undefined)
    throw new UsageError('is required: neither $XDG_DATA_HOME nor $HOME is set to an absolute path', '--home');
  return fallback;
}

const ROLE = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;
export const MAX_ROLES = 16;

/** `--roles a,b`: names as MessagePin.Roles / ConnectionDevice.Roles carry them. */
export function rolesOption(args: ParsedCommandArgs, name = 'roles'): string[] | undefined {
  const raw = args.values[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.trim() === '')
    throw new UsageError('expected a comma-separated list of role names', `--${name}`);
  const roles = raw.split(',').map((r) => r.trim());
  for (const role of roles) {
    if (!ROLE.test(role)) {
      throw new UsageError(
        `expected role names of letters, digits, ".", "_" or "-" starting with a letter, got ${JSON.stringify(role.slice(0, 70))}`,
        `--${name}`,
      );
    }
  }
  if (new Set(roles).size !== roles.length) throw new UsageError('lists a role more than once', `--${name}`);
  if (roles.length > MAX_ROLES)
    throw new UsageError(`expected at most ${MAX_ROLES} roles, got ${roles.length}`, `--${name}`);
  return roles;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };
export const MIN_EXPIRY_SECONDS = 60;
export const MAX_EXPIRY_SECONDS = 30 * 86400;

/** `--expires 90m`: seconds, from 1 minute to 30 days. */
export function durationOption(args: ParsedCommandArgs, name: string, fallbackSeconds: number): number {
  const raw = args.values[name];
  if (raw === undefined) return fallbackSeconds;
  const match = typeof raw === 'string' ? /^(\d{1,7})([smhd])$/.exec(raw) : null;
  if (match === null)
    throw new UsageError(`expected a duration such as 30m, 1h or 2d, got ${JSON.stringify(raw)}`, `--${name}`);
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] as string] as number);
  if (seconds < MIN_EXPIRY_SECONDS || seconds > MAX_EXPIRY_SECONDS) {
    throw new UsageError(`expected a duration from 1m to 30d, got ${raw}`, `--${name}`);
  }
  return seconds;
}

/**
 * Minimum significant characters of a witness or UDF prefix. The witness is what the
 * person compares with the device; the service picks the ServerNonce, so a short prefix
 * could be ground to match a forged request (8 Base32 characters = 40 bits).
 */
export const MIN_SELECTOR_CHARS = 8;

/** Upper case, without dashes or spaces: the form witnesses and UDFs are compared in. */
export function canonicalSelector(text: string): string {
  return text.replace(/[-\s]/g, '').toUpperCase();
}

/** The `<witness-or-device-udf>` positional, checked for shape. */
export function selectorArgument(value: string, argument: string): string {
  const canonical = canonicalSelector(value);
  if (!/^[A-Z2-7]+$/.test(canonical))
    throw new UsageError(
      `expected a witness or UDF (Base32 letters A-Z, 2-7 and dashes), got ${JSON.stringify(value.slice(0, 80))}`,
      argument,
    );
  if (canonical.length < MIN_SELECTOR_CHARS) {
    throw new UsageError(
      `expected at least ${MIN_SELECTOR_CHARS} characters of the witness or UDF, got ${canonical.length}`,
      argument,
    );
  }
  return canonical;
}

/** Whether `full` (a witness or UDF) starts with the canonical `selector`. */
export function matchesSelector(full: string, selector: string): boolean {
  return canonicalSelector(full).startsWith(selector);
}
