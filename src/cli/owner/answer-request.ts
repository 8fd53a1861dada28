/**
 * @module cli/owner/answer-request
 * Answering a verified pending request (docs/mesh-compatibility.md §6.2 (a) 6): the library builds the
 * ActivationDevice (fresh activation seed), ConnectionDevice and CatalogedDevice and the
 * RespondConnection signed by the admin key and encrypted to the device (and to the
 * service's ServiceEncryption key, so it can keep the account's device catalog,
 * docs/service-protocol.md); ConnectComplete posts it; then the owner's own catalog records
 * the answer. The activation seed is not kept: the device derives its keys from it, the
 * owner never needs it again.
 */
import { acceptConnection, rejectConnection } from '../../mesh/connect/respond-connection.js';
import type { VerifiedProfileService } from '../../mesh/profiles/profile-service.js';
import { recipientOf, sealObject, signerOf } from '../../mesh/profiles/signed-object.js';
import { terminalText } from '../../mesh/encoding/terminal-text.js';
import { CheckFailedError } from '../cli-errors.js';
import type { LocalDevice } from './home-records.js';
import type { OwnerSession } from './owner-session.js';
import { serviceStep } from './owner-session.js';
import type { PendingRequest } from './pending-requests.js';

/** Refuses a request that did not verify, naming its problems. */
export function requireAcceptable(
  request: PendingRequest,
): asserts request is PendingRequest & { verified: NonNullable<PendingRequest['verified']>; deviceUdf: string } {
  if (request.problems.length > 0 || request.verified === undefined || request.deviceUdf === undefined) {
    throw new CheckFailedError(
      `request with witness ${request.witness} cannot be answered: ${terminalText(request.problems.join('; '), 500) || 'not verified'}`,
      {
        context: { witness: request.witness },
      },
    );
  }
}

function serviceRecipients(service: VerifiedProfileService | undefined) {
  const key = service?.keys.serviceEncryption;
  return key === undefined ? [] : [recipientOf(key)];
}

export interface AcceptOutcome {
  readonly deviceUdf: string;
  readonly witness: string;
  readonly roles: readonly string[];
  readonly pinId?: string;
  readonly description?: string;
}

/** Accepts one verified request at the service, then records it locally. */
export async function acceptRequest(
  session: OwnerSession,
  service: VerifiedProfileService | undefined,
  request: PendingRequest,
  roles: readonly string[],
): Promise<AcceptOutcome> {
  requireAcceptable(request);
  const now = session.env.now();
  const accepted = acceptConnection({
    acknowledgement: request.verified,
    accountProfile: session.profile,
    accountKeys: session.keys,
    roles,
    random: session.env.random,
    now,
    additionalRecipients: serviceRecipients(service),
  });
  await serviceStep(() =>
    session.client.connectComplete(
      { AccountAddress: session.record.Account, EnvelopedRespondConnection: accepted.json },
      session.signer,
    ),
  );
  // The local copy is signed by the admin key, so a later edit of devices.json is detectable.
  const cataloged = sealObject('CatalogedDevice', accepted.catalogedDevice, {
    signer: signerOf(session.keys.administratorSignature),
  });
  const pinId = request.pin === 'verified' ? request.pinId : undefined;
  const entry: LocalDevice = {
    DeviceUdf: request.deviceUdf,
    Witness: request.witness,
    Status: 'Connected',
    Roles: [...roles],
    ...(request.description === undefined ? {} : { Description: request.description }),
    ...(request.received === undefined ? {} : { Received: request.received }),
    Answered: now.toISOString(),
    ...(pinId === undefined ? {} : { PinId: pinId }),
    EnvelopedCatalogedDevice: cataloged.json,
  };
  await session.home.updateDevices((current) => ({
    ...current,
    // A device connected again after a revocation gets a fresh entry in place of the old.
    Devices: [...current.Devices.filter((d) => !(d.DeviceUdf === entry.DeviceUdf && d.Status !== 'Rejected')), entry],
  }));
  if (pinId !== undefined) {
    await session.home.updatePins((current) => ({
      ...current,
      Pins: current.Pins.map((p) => (p.PinId === pinId ? { ...p, UsedBy: entry.DeviceUdf } : p)),
    }));
  }
  return {
    deviceUdf: entry.DeviceUdf,
    witness: entry.Witness,
    roles: entry.Roles,
    ...(pinId === undefined ? {} : { pinId }),
    ...(entry.Description === undefined ? {} : { description: entry.Description }),
  };
}

/** Rejects one verified request at the service, then records the answer locally. */
export async function rejectRequest(
  session: OwnerSession,
  service: VerifiedProfileService | undefined,
  request: PendingRequest,
): Promise<{ deviceUdf: string; witness: string }> {
  requireAcceptable(request);
  const rejected = rejectConnection({
    acknowledgement: request.verified,
    accountProfile: session.profile,
    accountKeys: session.keys,
    random: session.env.random,
    additionalRecipients: serviceRecipients(service),
  });
  await serviceStep(() =>
    session.client.connectComplete(
      { AccountAddress: session.record.Account, EnvelopedRespondConnection: rejected.json },
      session.signer,
    ),
  );
  const entry: LocalDevice = {
    DeviceUdf: request.deviceUdf,
    Witness: request.witness,
    Status: 'Rejected',
    Roles: [],
    ...(request.description === undefined ? {} : { Description: request.description }),
    ...(request.received === undefined ? {} : { Received: request.received }),
    Answered: session.env.now().toISOString(),
  };
  await session.home.updateDevices((current) => ({ ...current, Devices: [...current.Devices, entry] }));
  return { deviceUdf: entry.DeviceUdf, witness: entry.Witness };
}

/**
 * The lines a person reads before an answer is sent: what to compare with the device. The
 * fingerprint, witness and PIN lines hold only what this CLI computed (the UDF of the verified
 * key, the recomputed witness, its own PIN check); the device's Description is on a line of
 * its own, marked as the device's words and neutralised (mesh/encoding/terminal-text).
 */
export function comparisonLines(request: PendingRequest): string[] {
  return [
    `device fingerprint ${request.deviceUdf ?? '?'}`,
    `witness            ${request.witness}`,
    request.pin === 'verified' ? 'PIN                verified by this owner' : `PIN                ${request.pin}`,
    ...(request.description === undefined
      ? []
      : [`description        ${terminalText(request.description)} (as the device describes itself)`]),
  ];
}
