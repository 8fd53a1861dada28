/**
 * @module mesh/connect/complete-connection
 * The device's last step (docs/mesh-compatibility.md §6.2 (a) 7, (b) 4): open the RespondConnection
 * fetched through ConnectStatus and, on Accept, derive the combined keys. The service that
 * relayed it is not trusted (design decision 4), so the device accepts only:
 *
 * - an answer for the account it asked to join (the profile it verified at ConnectStart,
 *   or the claimant's profile it verified on the claim), signed by THAT profile's
 *   AdministratorSignature key — not by the device's own key, not by another account;
 * - with MessageId = ResponseId(its own acknowledgement's or claim's MessageId), so a
 *   response made for another request cannot be replayed to it;
 * - whose ActivationDevice is admin-signed and opens with its base Encryption key, and whose
 *   ConnectionDevice keys are exactly the combined keys it derives itself (§3).
 */
import { InvalidArgumentError } from '../../crypto/errors.js';
import type { RandomSource } from '../../crypto/random.js';
import type { CatalogedDevice } from '../objects/cataloged-device.js';
import type { ConnectionDevice } from '../objects/connection-device.js';
import type { ConnectionResult } from '../objects/respond-connection.js';
import type { VerifiedProfileAccount } from '../profiles/profile-account.js';
import { createProfileDevice, deviceBaseKeyPairs } from '../profiles/profile-device.js';
import type { EnvelopeInput } from '../profiles/signed-object.js';
import type { VerifiedAcknowledgeConnection } from './acknowledge-connection.js';
import { openCatalogedDevice, type CombinedKeyPairs, type CombinedPublicKeys } from './cataloged-device.js';
import { AccountMismatchError } from './connection-errors.js';
import type { VerifiedMessageClaim } from './message-claim.js';
import { sameAccount } from './request-connection.js';
import { openRespondConnection } from './respond-connection.js';
import { ProfileMismatchError } from '../profiles/profile-errors.js';

export interface CompleteConnectionInput {
  /** The RespondConnection envelope (ConnectStatusResponse.EnvelopedRespondConnection). */
  readonly respond: EnvelopeInput;
  readonly deviceSeed: string;
  /** The account profile the device verified (ConnectStart's EnvelopedProfileAccount, or the claim's). */
  readonly accountProfile: VerifiedProfileAccount;
  /** Witness/PIN flow: the device's verified AcknowledgeConnection. */
  readonly acknowledgement?: VerifiedAcknowledgeConnection;
  /** Static-QR flow: the claim the device verified (verifyClaimOnDevice). */
  readonly claim?: VerifiedMessageClaim;
  /** Hedging for the combined keys' signature nonces. */
  readonly random?: RandomSource;
}

export interface CompletedConnection {
  readonly result: ConnectionResult;
  readonly deviceUdf: string;
  /** Accept only: the activation seed (a secret, for the keystore). */
  readonly activationSeed?: string;
  readonly connection?: ConnectionDevice;
  readonly catalogedDevice?: CatalogedDevice;
  /** Accept only: the device's combined private keys for this account. */
  readonly keys?: CombinedKeyPairs;
  readonly combined?: CombinedPublicKeys;
}

/**
 * Verifies the owner's answer and, on Accept, derives the device's keys for the account.
 * @throws AccountMismatchError (the profile is not the account asked for),
 *   UnsignedEnvelopeError / UnauthorizedSignerError (not signed by its admin key),
 *   MessageIdMismatchError (an answer to another request), DecryptionError,
 *   ProfileMismatchError, ConnectionKeyMismatchError (tampered keys).
 */
export function completeConnection(input: CompleteConnectionInput): CompletedConnection {
  const { accountProfile, acknowledgement, claim } = input;
  if ((acknowledgement === undefined) === (claim === undefined)) {
    throw new InvalidArgumentError('"acknowledgement" or "claim" expected: exactly one of them', {
      context: { what: 'acknowledgement' },
    });
  }
  const baseKeys = deviceBaseKeyPairs(input.deviceSeed);
  const deviceUdf = createProfileDevice(input.deviceSeed, { keys: baseKeys }).udf;
  let answers: string;
  if (acknowledgement !== undefined) {
    // The account the device asked to join is the one in its own request.
    if (!sameAccount(acknowledgement.request.accountAddress, accountProfile.accountAddress)) {
      throw new AccountMismatchError('"accountProfile.AccountAddress" is not the account the device asked to join', {
        context: { what: 'accountProfile.AccountAddress' },
      });
    }
    // The witness the person compared was computed over one account profile; the answer
    // must come from that same profile, not merely one with the same address.
    if (acknowledgement.accountUdf !== accountProfile.udf) {
      throw new AccountMismatchError('"accountProfile" is not the profile the acknowledgement was verified against', {
        context: { what: 'accountProfile' },
      });
    }
    if (acknowledgement.request.deviceUdf !== deviceUdf) {
      throw new ProfileMismatchError('"acknowledgement" is for another device profile than this seed', {
        context: { what: 'acknowledgement' },
      });
    }
    answers = acknowledgement.messageId;
  } else {
    const verifiedClaim = claim as VerifiedMessageClaim;
    if (verifiedClaim.claimant.udf !== accountProfile.udf) {
      throw new AccountMismatchError('"accountProfile" is not the claimant profile of "claim"', {
        context: { what: 'accountProfile' },
      });
    }
    answers = verifiedClaim.messageId;
  }
  const opened = openRespondConnection(input.respond, {
    accountProfile,
    decryptionKey: baseKeys.encryption,
    answers,
  });
  const { respond } = opened;
  if (respond.Result !== 'Accept') return { result: respond.Result, deviceUdf };
  const catalogedDevice = respond.CatalogedDevice as CatalogedDevice;
  const device = openCatalogedDevice({
    catalogedDevice,
    baseKeys,
    deviceUdf,
    accountProfile,
    ...(input.random === undefined ? {} : { random: input.random }),
  });
  return {
    result: 'Accept',
    deviceUdf,
    activationSeed: device.activationSeed,
    connection: device.connection,
    catalogedDevice,
    keys: device.keys,
    combined: device.combined,
  };
}
