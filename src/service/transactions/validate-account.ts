/**
 * @module service/transactions/validate-account
 * ValidateAccount (security-05 §3.6; architecture-03 §8 example): says whether a proposed
 * account name is acceptable, with the service's rules (Minimum, Maximum, InvalidCharacters)
 * so a client can explain them. A well-formed request about an unacceptable name is answered
 * 201 with `Valid: false` and a Reason; only a malformed request is a 400.
 */
import { hostedDomainProblem, normalizeAccountAddress, reservedNameProblem } from '../account-names.js';
import { Containers } from '../records.js';
import type { AccountPolicy } from '../service-config.js';
import type { Transaction } from '../transaction.js';
import { ValidateRequestSchema, type ValidateRequest } from '../../mesh/messages/validate-account.js';

/**
 * Why `account` breaks the service's naming rules, or undefined if it does not: length and
 * characters of the user part, user@domain in ASCII, a reserved user part, a domain this
 * service does not host (docs/security.md "Account names and hosted domains").
 */
export function accountNameProblem(account: string, policy: AccountPolicy): string | undefined {
  const at = account.lastIndexOf('@');
  const user = at < 0 ? account : account.slice(0, at);
  if (user.length < policy.minimum)
    return `the account name must be at least ${policy.minimum} characters before the "@"`;
  if (user.length > policy.maximum)
    return `the account name must be at most ${policy.maximum} characters before the "@"`;
  for (const c of user) {
    if (policy.invalidCharacters.includes(c)) return `the account name may not contain ${JSON.stringify(c)}`;
  }
  let normal: string;
  try {
    normal = normalizeAccountAddress(account, 'Account');
  } catch {
    return 'the account must be an address user@domain (ASCII; an internationalised domain in its xn-- form)';
  }
  return reservedNameProblem(normal, policy.reservedLocalParts) ?? hostedDomainProblem(normal, policy.hostedDomains);
}

export const validateAccount: Transaction<ValidateRequest> = {
  name: 'ValidateAccount',
  request: 'ValidateRequest',
  response: 'ValidateResponse',
  schema: ValidateRequestSchema,
  authorization: { kind: 'none' },
  async handle(request, { env }) {
    const policy = env.config.account;
    let reason = accountNameProblem(request.Account, policy);
    if (
      reason === undefined &&
      (await env.store.get(Containers.accounts, normalizeAccountAddress(request.Account))) !== undefined
    ) {
      reason = 'the account already exists';
    }
    return {
      fields: {
        Valid: reason === undefined,
        Minimum: policy.minimum,
        Maximum: policy.maximum,
        InvalidCharacters: policy.invalidCharacters,
        ...(reason === undefined ? {} : { Reason: reason }),
      },
    };
  },
};
