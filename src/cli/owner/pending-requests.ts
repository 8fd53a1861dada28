/**
 * @module cli/owner/pending-requests
 * The owner's view of the connection requests the service holds for the account
 * (ConnectPending). Nothing the service says is taken on trust (design.md decision 4):
 * each AcknowledgeConnection is verified with the library — the service's signature under
 * the key of the service profile the account names, the device's signatures on its
 * ProfileDevice and RequestConnection, and the witness recomputed from the owner's own
 * profile key, the device's, and both nonces (mesh-reference §6.1, §13). The PIN is
 * checked against the PINs the owner registered, not the service's PinValidated flag.
 *
 * A request that fails any of these is listed with its problems and cannot be accepted.
 */
import type { PublicKey } from '../../crypto/key-pair.js';
import { verifyAcknowledgeConnection, type VerifiedAcknowledgeConnection } from '../../mesh/connect/acknowledge-connection.js';
import { verifyPinWitness } from '../../mesh/connect/pin.js';
import { payloadDigest } from '../../mesh/dare/signature.js';
import type { VerifiedProfileService } from '../../mesh/profiles/profile-service.js';
import { decodePayload, plaintextOf, toEnvelope } from '../../mesh/profiles/signed-object.js';
import type { PendingEntry } from '../../platform/http/mesh-client.js';
import type { LocalDevice, LocalPin } from './home-records.js';
import { helloService, type OwnerSession } from './owner-session.js';

/** What the owner's own check of the request's PIN found. */
export type PinCheck = 'none' | 'verified' | 'unknown' | 'mismatch' | 'expired' | 'used';

export interface PendingRequest {
  /** The recomputed witness when the request verified; else the witness the service claims. */
  readonly witness: string;
  readonly deviceUdf?: string;
  readonly description?: string;
  readonly received?: string;
  readonly expires?: string;
  /** The service's claim (PendingEntry.PinValidated); shown, not relied on. */
  readonly serviceSaysPinValidated: boolean;
  readonly pin: PinCheck;
  readonly pinId?: string;
  /** The matching PIN record when `pin` is 'verified'. */
  readonly localPin?: LocalPin;
  /** Why it cannot be accepted; empty when it can. */
  readonly problems: readonly string[];
  /** Worth knowing, not blocking. */
  readonly notes: readonly string[];
  readonly verified?: VerifiedAcknowledgeConnection;
}

/** Every pending entry, following PageKey, bounded so a looping service cannot hold us forever. */
export async function fetchPendingEntries(session: OwnerSession, maxPages = 100): Promise<PendingEntry[]> {
  const entries: PendingEntry[] = [];
  let pageKey: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const response = await session.client.connectPending(
      { AccountAddress: session.record.Account, ...(pageKey === undefined ? {} : { SearchConstraints: { PageKey: pageKey } }) },
      session.signer,
    );
    entries.push(...response.Pending);
    if (response.PageKey === undefined || response.PageKey === pageKey || response.Pending.length === 0) break;
    pageKey = response.PageKey;
  }
  return entries;
}

/** The witness the acknowledgement claims, read without trusting it, for display only. */
function claimedWitness(entry: PendingEntry): string {
  try {
    const envelope = toEnvelope(entry.EnvelopedAcknowledgeConnection, 'AcknowledgeConnection');
    const ack = decodePayload(plaintextOf(envelope, 'AcknowledgeConnection'), 'AcknowledgeConnection', 'AcknowledgeConnection');
    return ack.Witness.slice(0, 40);
  } catch {
    return '(unreadable)';
  }
}

export interface AssessContext {
  readonly session: OwnerSession;
  /** The ServiceSignature key of the account's service, from Hello. */
  readonly serviceKey?: PublicKey;
  readonly devices: readonly LocalDevice[];
  readonly pins: readonly LocalPin[];
  readonly now: Date;
}

/** Verifies one pending entry and classifies it. */
export function assessPendingEntry(entry: PendingEntry, context: AssessContext): PendingRequest {
  const problems: string[] = [];
  const notes: string[] = [];
  const base = {
    serviceSaysPinValidated: entry.PinValidated,
    ...(entry.Received === undefined ? {} : { received: entry.Received }),
    ...(entry.Expires === undefined ? {} : { expires: entry.Expires }),
  };
  let verified: VerifiedAcknowledgeConnection;
  try {
    verified = verifyAcknowledgeConnection(entry.EnvelopedAcknowledgeConnection, {
      accountProfile: context.session.profile,
      ...(context.serviceKey === undefined ? {} : { serviceKey: context.serviceKey }),
    });
  } catch (error) {
    return { ...base, witness: claimedWitness(entry), pin: 'none', problems: [`does not verify: ${(error as Error).message}`], notes };
  }

  const request = verified.request;
  const deviceUdf = request.deviceUdf;
  const description = request.device.profile.Description;
  if (entry.Expires !== undefined && Date.parse(entry.Expires) <= context.now.getTime()) {
    problems.push(`expired at ${entry.Expires}`);
  }
  const answered = context.devices.find((d) => d.Witness === verified.witness);
  if (answered !== undefined) problems.push(`already answered (${answered.Status})`);
  const known = context.devices.find((d) => d.DeviceUdf === deviceUdf && d.Status === 'Connected');
  if (known !== undefined && answered === undefined) problems.push('this device is already connected to the account');
  if (context.devices.some((d) => d.DeviceUdf === deviceUdf && d.Status === 'Revoked')) notes.push('this device was revoked before');

  let pin: PinCheck = 'none';
  let localPin: LocalPin | undefined;
  const { PinId, PinWitness } = request.request;
  if (PinId !== undefined && PinWitness !== undefined) {
    localPin = context.pins.find((p) => p.PinId === PinId);
    if (localPin === undefined) {
      pin = 'unknown';
      notes.push('carries a PIN this owner did not register here');
    } else if (
      !verifyPinWitness(PinWitness, {
        saltedPin: localPin.SaltedPin,
        account: context.session.record.Account,
        clientNonce: request.request.ClientNonce,
        payloadDigest: payloadDigest(request.device.envelope.payload),
      })
    ) {
      pin = 'mismatch';
      problems.push('its PinWitness does not verify under the PIN it names');
    } else if (Date.parse(localPin.Expires) <= context.now.getTime()) {
      pin = 'expired';
      notes.push(`its PIN expired at ${localPin.Expires}`);
    } else if (localPin.UsedBy !== undefined && localPin.UsedBy !== deviceUdf) {
      pin = 'used';
      notes.push('its PIN was already used by another device');
    } else {
      pin = 'verified';
    }
  }
  if (entry.PinValidated && pin !== 'verified') notes.push('the service marks it PIN-validated, but the owner could not verify the PIN');

  return {
    ...base,
    witness: verified.witness,
    deviceUdf,
    ...(description === undefined ? {} : { description }),
    pin,
    ...(PinId === undefined ? {} : { pinId: PinId }),
    ...(pin === 'verified' && localPin !== undefined ? { localPin } : {}),
    problems,
    notes,
    verified,
  };
}

/** The JSON form a command prints for one request (no envelopes, nothing secret). */
export function pendingRequestJson(r: PendingRequest): Record<string, unknown> {
  return {
    witness: r.witness,
    deviceUdf: r.deviceUdf ?? null,
    ...(r.description === undefined ? {} : { description: r.description }),
    pin: r.pin,
    ...(r.pinId === undefined ? {} : { pinId: r.pinId }),
    ...(r.localPin === undefined ? {} : { pinRoles: r.localPin.Roles }),
    serviceSaysPinValidated: r.serviceSaysPinValidated,
    received: r.received ?? null,
    expires: r.expires ?? null,
    acceptable: r.problems.length === 0,
    problems: r.problems,
    notes: r.notes,
  };
}

/**
 * Hello (for the service's signing key, checked against the account's ServiceUdf), then
 * every pending entry, assessed.
 */
export async function listPendingRequests(session: OwnerSession): Promise<{ service: VerifiedProfileService | undefined; requests: PendingRequest[] }> {
  const service = await helloService(session.client, session.profile.profile.ServiceUdf);
  const entries = await fetchPendingEntries(session);
  const devices = (await session.home.readDevices()).Devices;
  const pins = (await session.home.readPins()).Pins;
  const now = session.env.now();
  const requests = entries.map((entry) =>
    assessPendingEntry(entry, {
      session,
      ...(service === undefined ? {} : { serviceKey: service.keys.serviceSignature }),
      devices,
      pins,
      now,
    }),
  );
  return { service, requests };
}
