/**
 * @module agent/fakes/fake-mesh-service
 * A MeshTransport that is a small Mesh service in memory, made of the core library only: it
 * verifies RequestConnections and signs AcknowledgeConnections with its own key, files the
 * owners' RespondConnections by ResponseId, relays claims, and lets a test act as the owner
 * (accept, reject, revoke, expire) with real account keys. Several services live in one
 * instance, keyed by URL, so one device can join owners on different services. Tests can
 * also make it fail (`failNext`) or answer anything (`override`) to play a dishonest service.
 * test/contract/mesh-transport-contract.ts holds it to what the real service answers: pending
 * requests expire after `pendingLifetimeMs`, `connectStartLimit` is the service's ConnectStart
 * token bucket (429 with RetryAfter), and `complete` files an owner's signed answer with the
 * service's checks (403 for another signer, 409 for a different second answer, 410 once expired).
 */
import { seededRandom, type RandomSource } from '../../crypto/random.js';
import {
  createAcknowledgeConnection,
  verifyAcknowledgeConnection,
  type VerifiedAcknowledgeConnection,
} from '../../mesh/connect/acknowledge-connection.js';
import { createPublication } from '../../mesh/connect/cataloged-publication.js';
import { createClaimApproval, type CreatedClaimApproval } from '../../mesh/connect/claim-approval.js';
import { createMessageClaim, type CreatedMessageClaim } from '../../mesh/connect/message-claim.js';
import { verifyRequestConnection } from '../../mesh/connect/request-connection.js';
import {
  acceptClaim,
  acceptConnection,
  openRespondConnection,
  rejectConnection,
} from '../../mesh/connect/respond-connection.js';
import type { CatalogedPublication } from '../../mesh/objects/cataloged-publication.js';
import {
  accountKeyPairs,
  createProfileAccount,
  verifyProfileAccount,
  type AccountKeyPairs,
  type VerifiedProfileAccount,
} from '../../mesh/profiles/profile-account.js';
import { createProfileService, serviceKeyPairs, type ServiceKeyPairs } from '../../mesh/profiles/profile-service.js';
import { requireSigner, signerOf, toEnvelope } from '../../mesh/profiles/signed-object.js';
import type { EnvelopeJson } from '../../mesh/schema/envelope-json.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../mesh/udf/derived-key-seed.js';
import { responseId } from '../../mesh/udf/message-id.js';
import type { ConnectStartAnswer, ConnectStatusAnswer, HelloAnswer, MeshTransport, PollClaimAnswer } from '../ports.js';
import { ServiceRefusedError, TransportUnavailableError } from '../transport-errors.js';

export interface FakeOwner {
  readonly account: string;
  readonly service: string;
  readonly seed: string;
  readonly keys: AccountKeyPairs;
  readonly profile: VerifiedProfileAccount;
}

interface FiledRequest {
  readonly account: string;
  readonly ack: VerifiedAcknowledgeConnection;
  state: 'Pending' | 'Accept' | 'Reject' | 'Expired';
  /** When ConnectStart filed it (fake time, ms). */
  readonly filedAt: number;
  respond?: EnvelopeJson;
  revoked?: boolean;
  deviceUdf: string;
  /** ClaimApprovals the owner filed for this device (docs/service-protocol.md "Claim approval"). */
  approvals?: unknown[];
}

interface FakeService {
  readonly url: string;
  readonly keys: ServiceKeyPairs;
  readonly profileJson: EnvelopeJson;
  readonly accounts: Map<string, FakeOwner>;
  /** By `${account}|${ResponseId}`. */
  readonly requests: Map<string, FiledRequest>;
  /** Claims answered by the claimant, by `${account}|${ResponseId}`. */
  readonly answers: Map<string, { respond: EnvelopeJson; revoked?: boolean; deviceUdf: string; approvals?: unknown[] }>;
  readonly publications: Map<string, { maker: string; publication: CatalogedPublication; claim?: EnvelopeJson }>;
}

export interface TransportCall {
  readonly name: 'Hello' | 'ConnectStart' | 'ConnectStatus' | 'PollClaim';
  readonly service: string;
  readonly request: Record<string, unknown>;
}

type Override = (call: TransportCall) => unknown;

const key = (account: string, id: string): string => `${account.toLowerCase()}|${id}`;

export class FakeMeshService implements MeshTransport {
  readonly #random: RandomSource;
  readonly #services = new Map<string, FakeService>();
  readonly calls: TransportCall[] = [];
  /** RetryAfter (seconds) of a Pending ConnectStatus; undefined sends none. */
  retryAfter: number | undefined = 5;
  #failures: Error[] = [];
  override: Override | undefined;
  now: () => Date = () => new Date('2026-11-21T10:00:00Z');
  /** How long a request stays pending before it expires, as the service's `pendingLifetimeMs` (a day). */
  pendingLifetimeMs = 24 * 60 * 60 * 1000;
  /** ConnectStart's token bucket, as the service's `rateLimits.classes.ConnectStart.source`; undefined: no limit. */
  connectStartLimit: { readonly burst: number; readonly perMinute: number } | undefined;
  #connectStartBucket: { tokens: number; updated: number } | undefined;

  constructor(seed = 1) {
    this.#random = seededRandom(seed);
  }

  #service(url: string): FakeService {
    const service = this.#services.get(url);
    if (service === undefined) throw new TransportUnavailableError(`no fake service at ${url}`);
    return service;
  }

  addService(url: string): void {
    const seed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileService, this.#random);
    const keys = serviceKeyPairs(seed);
    this.#services.set(url, {
      url,
      keys,
      profileJson: createProfileService(seed, { keys }).json,
      accounts: new Map(),
      requests: new Map(),
      answers: new Map(),
      publications: new Map(),
    });
  }

  addOwner(account: string, url: string): FakeOwner {
    if (!this.#services.has(url)) this.addService(url);
    const service = this.#service(url);
    const seed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileAccount, this.#random);
    const keys = accountKeyPairs(seed);
    const profile = verifyProfileAccount(createProfileAccount(seed, { accountAddress: account, keys }).json);
    const owner: FakeOwner = { account, service: url, seed, keys, profile };
    service.accounts.set(account.toLowerCase(), owner);
    return owner;
  }

  /** The next `count` calls fail as `error` would (default: the service cannot be reached). */
  failNext(count = 1, error: Error = new TransportUnavailableError('fake: connection refused')): void {
    for (let i = 0; i < count; i++) this.#failures.push(error);
  }

  #enter(call: TransportCall): unknown {
    this.calls.push(call);
    const failure = this.#failures.shift();
    if (failure !== undefined) throw failure;
    return this.override?.(call);
  }

  // --- MeshTransport ----------------------------------------------------------------------

  async hello(service: string): Promise<HelloAnswer> {
    const scripted = this.#enter({ name: 'Hello', service, request: {} });
    if (scripted !== undefined) return scripted as HelloAnswer;
    return { EnvelopedProfileService: this.#service(service).profileJson };
  }

  async connectStart(
    service: string,
    request: { AccountAddress: string; EnvelopedRequestConnection: EnvelopeJson },
  ): Promise<ConnectStartAnswer> {
    const scripted = this.#enter({ name: 'ConnectStart', service, request });
    if (scripted !== undefined) return scripted as ConnectStartAnswer;
    const s = this.#service(service);
    this.#takeConnectStartToken();
    const owner = s.accounts.get(request.AccountAddress.toLowerCase());
    if (owner === undefined)
      throw new ServiceRefusedError(`ConnectStart: no account ${request.AccountAddress}`, 404, undefined);
    const verified = verifyRequestConnection(request.EnvelopedRequestConnection, {
      accountAddress: request.AccountAddress,
    });
    const created = createAcknowledgeConnection({
      request: verified,
      accountProfile: owner.profile,
      serviceKey: signerOf(s.keys.serviceSignature),
      random: this.#random,
    });
    const ack = verifyAcknowledgeConnection(created.json, { accountProfile: owner.profile });
    s.requests.set(key(owner.account, responseId(created.messageId)), {
      account: owner.account,
      ack,
      state: 'Pending',
      filedAt: this.now().getTime(),
      deviceUdf: verified.deviceUdf,
    });
    return { EnvelopedAcknowledgeConnection: created.json, EnvelopedProfileAccount: owner.profile.json };
  }

  /** The service's token bucket (a refusal takes nothing and says the whole seconds until a token is back). */
  #takeConnectStartToken(): void {
    const spec = this.connectStartLimit;
    if (spec === undefined) return;
    const now = this.now().getTime();
    const bucket = (this.#connectStartBucket ??= { tokens: spec.burst, updated: now });
    const tokens = Math.min(spec.burst, bucket.tokens + (Math.max(0, now - bucket.updated) * spec.perMinute) / 60_000);
    bucket.updated = Math.max(bucket.updated, now);
    if (tokens >= 1) {
      bucket.tokens = tokens - 1;
      return;
    }
    bucket.tokens = tokens;
    const retryAfter = spec.perMinute > 0 ? Math.max(1, Math.ceil(((1 - tokens) * 60) / spec.perMinute)) : 3600;
    throw new ServiceRefusedError(
      `ConnectStart refused with Status 429: too many ConnectStart requests from this source: retry in ${retryAfter} s`,
      429,
      retryAfter,
    );
  }

  #expired(filed: FiledRequest): boolean {
    return (
      filed.state === 'Expired' ||
      (filed.state === 'Pending' && this.now().getTime() >= filed.filedAt + this.pendingLifetimeMs)
    );
  }

  async connectStatus(
    service: string,
    request: { AccountAddress: string; ResponseId: string },
  ): Promise<ConnectStatusAnswer> {
    const scripted = this.#enter({ name: 'ConnectStatus', service, request });
    if (scripted !== undefined) return scripted as ConnectStatusAnswer;
    const s = this.#service(service);
    const filed = s.requests.get(key(request.AccountAddress, request.ResponseId));
    if (filed !== undefined) {
      if (filed.revoked) return { Result: 'Revoked' };
      if (this.#expired(filed)) return { Result: 'Expired' };
      if (filed.state === 'Pending')
        return { Result: 'Pending', ...(this.retryAfter === undefined ? {} : { RetryAfter: this.retryAfter }) };
      const approvals =
        filed.state === 'Accept' && filed.approvals !== undefined && filed.approvals.length > 0
          ? { EnvelopedClaimApprovals: [...filed.approvals] }
          : {};
      return {
        Result: filed.state,
        ...(filed.respond === undefined ? {} : { EnvelopedRespondConnection: filed.respond }),
        ...approvals,
      };
    }
    const answer = s.answers.get(key(request.AccountAddress, request.ResponseId));
    if (answer !== undefined) {
      if (answer.revoked) return { Result: 'Revoked' };
      const approvals =
        answer.approvals !== undefined && answer.approvals.length > 0
          ? { EnvelopedClaimApprovals: [...answer.approvals] }
          : {};
      return { Result: 'Accept', EnvelopedRespondConnection: answer.respond, ...approvals };
    }
    throw new ServiceRefusedError(
      'ConnectStatus: no connection request or response for this ResponseId',
      404,
      undefined,
    );
  }

  async pollClaim(
    service: string,
    request: { PublicationId: string; TargetAccountAddress: string },
  ): Promise<PollClaimAnswer> {
    const scripted = this.#enter({ name: 'PollClaim', service, request });
    if (scripted !== undefined) return scripted as PollClaimAnswer;
    const p = this.#service(service).publications.get(request.PublicationId);
    if (p === undefined || p.maker.toLowerCase() !== request.TargetAccountAddress.toLowerCase()) {
      throw new ServiceRefusedError(`PollClaim: no publication ${request.PublicationId}`, 404, undefined);
    }
    return p.claim === undefined ? {} : { EnvelopedMessageClaim: p.claim };
  }

  // --- the owner's side ----------------------------------------------------------------

  /** The pending requests of an owner, oldest first. */
  pending(owner: FakeOwner): VerifiedAcknowledgeConnection[] {
    return [...this.#service(owner.service).requests.values()]
      .filter((r) => r.account === owner.account && r.state === 'Pending')
      .map((r) => r.ack);
  }

  #find(owner: FakeOwner, witness?: string): FiledRequest {
    const all = [...this.#service(owner.service).requests.values()].filter(
      (r) => r.account === owner.account && r.state === 'Pending',
    );
    const found = witness === undefined ? all[all.length - 1] : all.find((r) => r.ack.witness === witness);
    if (found === undefined)
      throw new Error(
        `fake: no pending request for ${owner.account}${witness === undefined ? '' : ` with witness ${witness}`}`,
      );
    return found;
  }

  accept(owner: FakeOwner, witness?: string, roles: readonly string[] = []): EnvelopeJson {
    const filed = this.#find(owner, witness);
    const accepted = acceptConnection({
      acknowledgement: filed.ack,
      accountProfile: owner.profile,
      accountKeys: owner.keys,
      random: this.#random,
      roles,
      now: this.now(),
    });
    filed.state = 'Accept';
    filed.respond = accepted.json;
    return accepted.json;
  }

  /**
   * The owner files `respond` (a signed RespondConnection, encrypted to this service too) as
   * ConnectComplete does: refused (the status the service would answer) unless it is signed by
   * the account's AdministratorSignature key, answers a request still pending, and is the
   * first answer (the same envelope again succeeds; a different one is a conflict).
   */
  complete(owner: FakeOwner, respond: EnvelopeJson): { ok: true } | { ok: false; status: number } {
    const s = this.#service(owner.service);
    const envelope = toEnvelope(respond, 'RespondConnection');
    try {
      requireSigner(
        envelope,
        owner.profile.keys.administratorSignature,
        'RespondConnection',
        'AdministratorSignature key of the account',
      );
    } catch {
      return { ok: false, status: 403 };
    }
    let opened;
    try {
      opened = openRespondConnection(envelope, {
        accountProfile: owner.profile,
        decryptionKey: s.keys.serviceEncryption,
      });
    } catch {
      return { ok: false, status: 400 };
    }
    const result = opened.respond.Result;
    if (result !== 'Accept' && result !== 'Reject') return { ok: false, status: 400 };
    const filed = s.requests.get(key(owner.account, opened.messageId));
    if (filed === undefined) return { ok: false, status: 404 };
    if (filed.state !== 'Pending' && !this.#expired(filed)) {
      return JSON.stringify(filed.respond) === JSON.stringify(respond) ? { ok: true } : { ok: false, status: 409 };
    }
    if (this.#expired(filed)) return { ok: false, status: 410 };
    const device = opened.respond.CatalogedDevice?.DeviceUdf;
    if (device !== undefined && device.toUpperCase() !== filed.deviceUdf.toUpperCase())
      return { ok: false, status: 400 };
    filed.state = result;
    filed.respond = respond;
    return { ok: true };
  }

  reject(owner: FakeOwner, witness?: string): void {
    const filed = this.#find(owner, witness);
    filed.state = 'Reject';
    filed.respond = rejectConnection({
      acknowledgement: filed.ack,
      accountProfile: owner.profile,
      accountKeys: owner.keys,
      random: this.#random,
    }).json;
  }

  expire(owner: FakeOwner): void {
    this.#find(owner).state = 'Expired';
  }

  revoke(owner: FakeOwner, deviceUdf: string): void {
    const s = this.#service(owner.service);
    for (const r of s.requests.values())
      if (r.account === owner.account && r.deviceUdf === deviceUdf && r.state === 'Accept') r.revoked = true;
    for (const [k, a] of s.answers)
      if (k.startsWith(`${owner.account.toLowerCase()}|`) && a.deviceUdf === deviceUdf) a.revoked = true;
  }

  /**
   * Files `envelope` (a ClaimApproval, or anything a dishonest service relays) with the
   * owner's accepted connection(s) of `deviceUdf`, where its ConnectStatus returns it.
   */
  fileApproval(owner: FakeOwner, deviceUdf: string, envelope: unknown): void {
    const s = this.#service(owner.service);
    let filed = 0;
    for (const r of s.requests.values()) {
      if (r.account === owner.account && r.deviceUdf === deviceUdf && r.state === 'Accept') {
        (r.approvals ??= []).push(envelope);
        filed++;
      }
    }
    for (const [k, a] of s.answers) {
      if (k.startsWith(`${owner.account.toLowerCase()}|`) && a.deviceUdf === deviceUdf) {
        (a.approvals ??= []).push(envelope);
        filed++;
      }
    }
    if (filed === 0) throw new Error(`fake: ${owner.account} has no accepted connection of ${deviceUdf}`);
  }

  /** The owner approves a later claim of its device by `claimant` (owner-approval). */
  approveClaim(
    owner: FakeOwner,
    deviceUdf: string,
    claimant: string,
    expires: Date = new Date(this.now().getTime() + 3_600_000),
  ): CreatedClaimApproval {
    const made = createClaimApproval({
      accountProfile: owner.profile,
      adminKey: signerOf(owner.keys.administratorSignature),
      deviceUdf,
      claimant,
      expires,
      random: this.#random,
    });
    this.fileApproval(owner, deviceUdf, made.json);
    return made;
  }

  /** The maker publishes the device's claim record on its service (§6.2 (b) 1). */
  publish(maker: FakeOwner, deviceSeed: string): { connectUri: string; publicationId: string } {
    const made = createPublication({ deviceSeed, makerAccount: maker.account, random: this.#random });
    this.#service(maker.service).publications.set(made.publicationId, {
      maker: maker.account,
      publication: made.publication,
    });
    return { connectUri: made.connectUri, publicationId: made.publicationId };
  }

  /** An owner scans the label and claims it at the maker's service (the latest claim replaces any earlier one). */
  claim(claimant: FakeOwner, makerService: string, connectUri: string): CreatedMessageClaim {
    const claim = createMessageClaim({
      claimantProfile: claimant.profile,
      adminKey: signerOf(claimant.keys.administratorSignature),
      connectUri,
      random: this.#random,
    });
    const p = this.#service(makerService).publications.get(claim.publicationId);
    if (p === undefined) throw new Error('fake: no such publication');
    p.claim = claim.json;
    return claim;
  }

  /** Puts any envelope where PollClaim finds it (a forged claim). */
  plantClaim(makerService: string, publicationId: string, envelope: EnvelopeJson): void {
    const p = this.#service(makerService).publications.get(publicationId);
    if (p === undefined) throw new Error('fake: no such publication');
    p.claim = envelope;
  }

  /** The claimant accepts the device it claimed, on its own service (§6.2 (b) 3). */
  acceptClaim(
    claimant: FakeOwner,
    makerService: string,
    claim: CreatedMessageClaim,
    connectUri: string,
    roles: readonly string[] = [],
  ): EnvelopeJson {
    const p = this.#service(makerService).publications.get(claim.publicationId);
    if (p === undefined) throw new Error('fake: no such publication');
    const accepted = acceptClaim({
      claimMessageId: claim.messageId,
      publication: p.publication,
      connectUri,
      accountProfile: claimant.profile,
      accountKeys: claimant.keys,
      random: this.#random,
      roles,
      now: this.now(),
    });
    this.#service(claimant.service).answers.set(key(claimant.account, claim.responseId), {
      respond: accepted.json,
      deviceUdf: accepted.deviceUdf,
    });
    return accepted.json;
  }
}
