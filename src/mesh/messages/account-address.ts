/**
 * @module mesh/messages/account-address
 * The account address every account-scoped request names, user@domain (docs/mesh-compatibility.md §1.5),
 * in one normal form, so every entry point of a service keys records, PIN counters and rate
 * limits the same way and `Alice@Example.com` names the same account:
 * - the address must be user@domain in ASCII (checkAccountAddress): no white space is
 *   trimmed, no Unicode is folded. A non-ASCII or padded name is refused, not rewritten,
 *   because folding (NFKC, case mapping beyond ASCII) would let look-alike names collide or
 *   pass for each other; an internationalised domain goes in its A-label (xn--) form;
 * - then it is lower-cased, as the PIN and claim MACs lower-case the account
 *   (docs/mesh-compatibility.md §6.1).
 * Which names a service hosts or reserves is its own policy (src/service/account-names.ts).
 */
import { checkAccountAddress } from '../connect/connect-uri.js';
import { fail, kindOf, type Schema } from '../schema/index.js';

/** RFC 5321's 64 + 1 + 255; longer is never an address. */
export const MAX_ACCOUNT_LENGTH = 320;

/**
 * The account address in normal form (ASCII user@domain, lower-cased).
 * @throws InvalidArgumentError naming `what` when it is not an account address.
 */
export function normalizeAccountAddress(value: string, what = 'account'): string {
  return checkAccountAddress(value, what).toLowerCase();
}

/** An account address field, parsed to its normal form. */
export function accountAddress(): Schema<string> {
  const expected = 'an account address user@domain';
  const check = (value: unknown, path: string): string => {
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ACCOUNT_LENGTH)
      fail(path, expected, kindOf(value));
    try {
      return normalizeAccountAddress(value, path);
    } catch (cause) {
      return fail(path, expected, 'a string that is not user@domain', cause);
    }
  };
  return {
    expected,
    parse: (json, path = 'value') => check(json, path),
    toJson: (value, path = 'value') => check(value, path),
  };
}
