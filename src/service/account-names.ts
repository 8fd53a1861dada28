/**
 * @module service/account-names
 * Account names as the service keys them, and which ones it hosts (docs/security.md
 * "Account names and hosted domains"). One normalisation serves every entry point, so
 * `Alice@Example.COM` and `alice@example.com` are one account, one PIN lockout counter and
 * one rate-limit bucket:
 * - the address must be user@domain in ASCII (docs/mesh-compatibility.md §1.5; checkAccountAddress): no
 *   white space is trimmed, no Unicode is folded. A non-ASCII or padded name is refused, not
 *   rewritten, because folding (NFKC, case mapping beyond ASCII) would let look-alike names
 *   collide or pass for each other; an internationalised domain goes in its A-label
 *   (xn--) form;
 * - then it is lower-cased, as the PIN and claim MACs lower-case the account
 *   (docs/mesh-compatibility.md §6.1).
 */
import { checkAccountAddress } from '../mesh/connect/connect-uri.js';

/** RFC 5321's 64 + 1 + 255; longer is never an address. */
export const MAX_ACCOUNT_LENGTH = 320;

/**
 * Local parts a service never hands to a stranger: mailbox names RFC 2142 reserves, the
 * administrative names certificate authorities accept as proof of control of a domain
 * (CA/Browser Forum BR 3.2.2.4.4), and names people trust as the operator's own.
 */
export const RESERVED_LOCAL_PARTS: readonly string[] = Object.freeze([
  'abuse',
  'admin',
  'administrator',
  'hostmaster',
  'info',
  'mailer-daemon',
  'marketing',
  'noc',
  'no-reply',
  'noreply',
  'postmaster',
  'root',
  'sales',
  'security',
  'support',
  'sysadmin',
  'system',
  'webmaster',
  'www',
  'mesh',
  'service',
]);

/**
 * The account address in the service's normal form (ASCII user@domain, lower-cased).
 * @throws InvalidArgumentError naming `what` when it is not an account address.
 */
export function normalizeAccountAddress(value: string, what = 'account'): string {
  return checkAccountAddress(value, what).toLowerCase();
}

/** The domain of a normalised account address. */
export function accountDomain(account: string): string {
  return account.slice(account.lastIndexOf('@') + 1);
}

/** Why `account`'s user part is reserved, or undefined. Compares the lower-cased user part. */
export function reservedNameProblem(account: string, reserved: readonly string[]): string | undefined {
  const user = account.slice(0, account.lastIndexOf('@')).toLowerCase();
  return reserved.includes(user) ? `the account name ${JSON.stringify(user)} is reserved` : undefined;
}

/**
 * Why `account` is not hosted here, or undefined when it is. `hosted` lists the domains
 * (lower case); an empty list hosts every domain.
 */
export function hostedDomainProblem(account: string, hosted: readonly string[]): string | undefined {
  if (hosted.length === 0) return undefined;
  const domain = accountDomain(account).toLowerCase();
  if (hosted.includes(domain)) return undefined;
  return `the account domain ${JSON.stringify(domain)} is not hosted here (this service hosts ${hosted.join(', ')})`;
}
