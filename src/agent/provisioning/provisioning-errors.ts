/**
 * @module agent/provisioning/provisioning-errors
 * The command errors the handler and the device raise, one constructor per protocol code,
 * so every place that refuses says it the same way (README "Errors").
 */
import { ProvisioningCommandError } from './protocol.js';

export const PROVISIONING_ERRORS = {
  badArgs: (message: string, field: string) => new ProvisioningCommandError('bad-args', message, { field }),
  rateLimited: (message: string, retryAfterSeconds: number) =>
    new ProvisioningCommandError('rate-limited', message, { retryAfterSeconds }),
  codeExpired: (message: string) => new ProvisioningCommandError('code-expired', message),
  badCode: (message: string, attemptsLeft: number) =>
    new ProvisioningCommandError('bad-code', message, { attemptsLeft }),
  noSuchOwner: (account: string) =>
    new ProvisioningCommandError('no-such-owner', `${account} is not an owner of this device (see status)`, {
      account,
    }),
  noSuchClaim: (message: string) => new ProvisioningCommandError('no-such-claim', message),
  notConfirmable: (claimant: string) =>
    new ProvisioningCommandError(
      'not-confirmable',
      `the claim by ${claimant} is held for an existing owner's approval (claims.additionalClaims "owner-approval"), which a code on the device cannot give`,
      { claimant },
    ),
  conflict: (message: string, details?: Record<string, string>) =>
    new ProvisioningCommandError('conflict', message, details),
  unsupported: (message: string) => new ProvisioningCommandError('unsupported', message),
} as const;
