/**
 * @module cli/owner/pending-requests
 * The owner's view of the connection requests the service holds for the account
 * (ConnectPending). Nothing the service says is taken on trust (docs/decisions/0003-untrusted-service.md):
 * each AcknowledgeConnection is verified with the library — the service's signature under
 * the key of the service profile the account names, the device's signatures on its
 * ProfileDevice and RequestConnection, and the witness recomputed from the owner's own
 * profile key, the device's, and both nonces (docs/mesh-compatibility.md §6.1, §13). The PIN is
 * checked against the PINs the owner registered, not the service's PinValidated flag.
 *
 * A request that fails any of these is listed with its problems and cannot be accepted.
 *
 * A stranger can fill the list (ConnectStart is the unauthenticated front door), so the list
 * is read page by page and checked as it arrives: PageKey is followed through empty pages
 * (expired entries the service skipped), each page is bounded by MaxEntries and MaxBytes
 * well under the client's response cap, and nothing holds every raw entry. A command looking
 * for one witness verifies only the entries whose claimed witness matches (the verified
 * witness must equal the claimed one), and stops at an exact match.
 */
import type { PublicKey } from '../../crypto/key-pair.js';
import {
  verifyAcknowledgeConnection,
  type VerifiedAcknowledgeConnection,
} from '../../mesh/connect/acknowledge-connection.js';
import { verifyPinWitness } from '../../mesh/connect/pin.js';
import { payloadDigest } from '../../mesh/dare/signature.js';
import type { VerifiedProfileService } from '../../mesh/profiles/profile-service.js';
import { decodePayload, plaintextOf, toEnvelope } from '../../mesh/profiles/signed-object.js';
import { terminalText } from '../../mesh/encoding/terminal-text.js';
import type { PendingEntry } from '../../mesh/messages/connect-pending.js';
import { CheckFailedError } from '../cli-errors.js';
import type { LocalDevice, LocalPin } from './home-records.js';
import { canonicalSelector, matchesSelector } from './owner-args.js';
import { helloService, type OwnerSession } from './owner-session.js';

/** Entries asked for per ConnectPending page. */
export const PENDING_PAGE_ENTRIES = 100;
/** Bytes asked for per page: a quarter of the client's 4 MiB response cap. */
export const PENDING_PAGE_BYTES = 1024 * 1024;
/** Pages followed before giving up: 2 000 × 100 entries is far beyond any real account. */
export const MAX_PENDING_PAGES = 2000;

/** The service's paging did not end: a repeated PageKey, or more pages than the bound. */
export class PendingListIncompleteError extends CheckFailedError {}

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

/**
 * The pages of ConnectPending, in order. A page may be empty and still carry a PageKey (the
 * service skipped expired entries), so only the absence of a PageKey ends the list; a PageKey
 * the service already gave (a loop) or more than `maxPages` pages ends it with
 * PendingListIncompleteError, after the pages read so far were yielded.
 */
export async function* pendingPages(
  session: OwnerSession,
  maxPages = MAX_PENDING_PAGES,
): AsyncGenerator<readonly PendingEntry[]> {
  const seen = new Set<string>();
  let pageKey: string | undefined;
  for (let page = 1; ; page++) {
    const response = await session.client.connectPending(
      {
        AccountAddress: session.record.Account,
        SearchConstraints: {
          MaxEntries: PENDING_PAGE_ENTRIES,
          MaxBytes: PENDING_PAGE_BYTES,
          ...(pageKey === undefined ? {} : { PageKey: pageKey }),
        },
      },
      session.signer,
    );
    yield response.Pending;
    const next = response.PageKey;
    if (next === undefined) return;
    if (seen.has(next)) {
      throw new PendingListIncompleteError(
        `ConnectPending: ${session.client.endpoint} returned a PageKey it had already returned (page ${page}); stopped to avoid a loop, so the pending list is incomplete`,
        { context: { page } },
      );
    }
    if (page >= maxPages) {
      throw new PendingListIncompleteError(
        `ConnectPending: ${session.client.endpoint} still had more after ${maxPages} pages; stopped, so the pending list is incomplete (answer or wait out the requests shown, then list again)`,
        { context: { pages: maxPages } },
      );
    }
    seen.add(next);
    pageKey = next;
  }
}

/** The witness the acknowledgement claims, read without trusting it; undefined if unreadable. */
function claimedWitnessOf(entry: PendingEntry): string | undefined {
  try {
    const envelope = toEnvelope(entry.EnvelopedAcknowledgeConnection, 'AcknowledgeConnection');
    const ack = decodePayload(
      plaintextOf(envelope, 'AcknowledgeConnection'),
      'AcknowledgeConnection',
      'AcknowledgeConnection',
    );
    return typeof ack.Witness === 'string' ? ack.Witness : undefined;
  } catch {
    return undefined;
  }
}

/** For display only: the claimed witness, neutralised and cut (it proves nothing). */
function claimedWitness(entry: PendingEntry): string {
  const claimed = claimedWitnessOf(entry);
  return claimed === undefined ? '(unreadable)' : terminalText(claimed, 40);
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
    return {
      ...base,
      witness: claimedWitness(entry),
      pin: 'none',
      problems: [`does not verify: ${terminalText((error as Error).message, 300)}`],
      notes,
    };
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
  if (context.devices.some((d) => d.DeviceUdf === deviceUdf && d.Status === 'Revoked'))
    notes.push('this device was revoked before');

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
  if (entry.PinValidated && pin !== 'verified')
    notes.push('the service marks it PIN-validated, but the owner could not verify the PIN');

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

export interface PendingScan {
  readonly service: VerifiedProfileService | undefined;
  readonly context: AssessContext;
}

/** Hello (for the service's signing key, checked against the account's ServiceUdf) and the local catalog and PINs. */
export async function openPendingScan(session: OwnerSession): Promise<PendingScan> {
  const service = await helloService(session.client, session.profile.profile.ServiceUdf);
  const devices = (await session.home.readDevices()).Devices;
  const pins = (await session.home.readPins()).Pins;
  return {
    service,
    context: {
      session,
      ...(service === undefined ? {} : { serviceKey: service.keys.serviceSignature }),
      devices,
      pins,
      now: session.env.now(),
    },
  };
}

/** Every pending entry, assessed as its page arrives. */
export async function* assessedPending(scan: PendingScan): AsyncGenerator<PendingRequest> {
  for await (const page of pendingPages(scan.context.session)) {
    for (const entry of page) yield assessPendingEntry(entry, scan.context);
  }
}

/** Every pending entry, assessed (for commands that act on the whole list). */
export async function listPendingRequests(
  session: OwnerSession,
): Promise<{ service: VerifiedProfileService | undefined; requests: PendingRequest[] }> {
  const scan = await openPendingScan(session);
  const requests: PendingRequest[] = [];
  for await (const request of assessedPending(scan)) requests.push(request);
  return { service: scan.service, requests };
}

/** Length of a whole witness without dashes (witness.ts: 140 bits of Base32). */
const WITNESS_CHARS = 28;

/**
 * The requests a `<witness-or-device-udf>` selector can mean, verifying only what it needs:
 * entries whose claimed witness matches are verified (a verified witness equals the claimed
 * one, so no other entry can match by witness). A whole witness is unique, so the scan stops
 * at the first verified match; a prefix scans on (cheaply) so an ambiguous prefix is still
 * refused. Only when no witness matches is every entry verified, to match device UDFs.
 */
export async function findPendingRequests(scan: PendingScan, selector: string): Promise<PendingRequest[]> {
  const byWitness: PendingRequest[] = [];
  const whole = selector.length === WITNESS_CHARS;
  scanning: for await (const page of pendingPages(scan.context.session)) {
    for (const entry of page) {
      const claimed = claimedWitnessOf(entry);
      if (claimed === undefined || !matchesSelector(claimed, selector)) continue;
      const request = assessPendingEntry(entry, scan.context);
      byWitness.push(request);
      if (whole && request.verified !== undefined && canonicalSelector(request.witness) === selector) break scanning;
    }
  }
  if (whole) {
    // An entry merely claiming the same witness (it did not verify) must not make the whole one ambiguous.
    const exact = byWitness.filter((r) => r.verified !== undefined && canonicalSelector(r.witness) === selector);
    if (exact.length > 0) return exact;
  }
  if (byWitness.length > 0) return byWitness;
  const byDevice: PendingRequest[] = [];
  for await (const request of assessedPending(scan)) {
    if (request.deviceUdf !== undefined && matchesSelector(request.deviceUdf, selector)) byDevice.push(request);
  }
  return byDevice;
}
