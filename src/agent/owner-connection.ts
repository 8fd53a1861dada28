/**
 * @module agent/owner-connection
 * The connection to one owner account, run independently of every other
 * owner: each has its own request, its own backoff, its own activation seed, and its own
 * record in the state, so one owner's reject, expiry or revocation leaves the others as
 * they were (docs/mesh-compatibility.md §6.2 (d)).
 *
 * new ──ConnectStart──▶ pending ──Accept──▶ connected ──Revoked──▶ revoked
 *  ▲                       │ └───Reject──▶ rejected
 *  └──────Expired / 404────┘
 *
 * - ConnectStart sends a RequestConnection signed by the device's ProfileSignature key
 *   (with PinId/PinWitness when the owner gave a PIN); the answer's account profile must be
 *   the account asked for, its acknowledgement signed by the service key from Hello, and
 *   the witness is recomputed here before it is shown (design decision 3).
 * - ConnectStatus is polled on a RetrySchedule honouring RetryAfter. An answer is accepted
 *   only through completeConnection: signed by an administration key of THAT account's
 *   profile, for THIS request (a replayed or forged answer is refused and polling goes on).
 * - The activation seed goes to the keystore before the state says "connected"; revocation
 *   writes "revoked" before the seed is deleted. A crash between the two leaves a seed the
 *   next start removes (Agent reconcile) or re-obtains (the same answer is polled again).
 * - Transport errors keep the state and back off; nothing re-pairs on a restart.
 */
import { utf8 } from '../crypto/bytes.js';
import {
  verifyAcknowledgeConnection,
  type VerifiedAcknowledgeConnection,
} from '../mesh/connect/acknowledge-connection.js';
import { completeConnection } from '../mesh/connect/complete-connection.js';
import { AccountMismatchError } from '../mesh/connect/connection-errors.js';
import { verifyClaimOnDevice, type VerifiedMessageClaim } from '../mesh/connect/message-claim.js';
import { createRequestConnection, sameAccount } from '../mesh/connect/request-connection.js';
import { CatalogedDeviceSchema } from '../mesh/objects/cataloged-device.js';
import { verifyProfileAccount, type VerifiedProfileAccount } from '../mesh/profiles/profile-account.js';
import { verifyProfileService } from '../mesh/profiles/profile-service.js';
import { responseId } from '../mesh/udf/message-id.js';
import {
  activationSecretName,
  type AgentState,
  type OwnerConnected,
  type OwnerPending,
  type OwnerRecord,
} from './agent-state.js';
import type { AgentRuntime } from './agent-runtime.js';
import { AgentStopped, untilAborted } from './agent-stopped.js';
import { describeError } from './describe-error.js';
import type { ConnectStatusAnswer } from './ports.js';
import { RetrySchedule } from './retry-schedule.js';
import { ServiceAnswerError, ServiceRefusedError, TransportUnavailableError } from './transport-errors.js';

/** Milliseconds until the next step, or undefined when the owner reached a terminal state. */
type Next = number | undefined;

function withOwner(state: AgentState, key: string, record: OwnerRecord): AgentState {
  return { ...state, owners: { ...state.owners, [key]: record } };
}

export class OwnerConnection {
  readonly #rt: AgentRuntime;
  readonly key: string;
  readonly #schedule: RetrySchedule;
  /** Connected owners are checked for revocation at the cap, jittered. */
  readonly #watch: RetrySchedule;

  constructor(runtime: AgentRuntime, key: string) {
    this.#rt = runtime;
    this.key = key;
    this.#schedule = new RetrySchedule(runtime.settings.polling, runtime.random);
    const cap = runtime.settings.polling.maxDelayMs;
    this.#watch = new RetrySchedule({ ...runtime.settings.polling, initialDelayMs: cap, factor: 1 }, runtime.random);
  }

  #record(): OwnerRecord | undefined {
    return this.#rt.state().owners[this.key];
  }

  async #set(record: OwnerRecord): Promise<void> {
    await this.#rt.update((state) => withOwner(state, this.key, record));
  }

  async #failed(record: OwnerRecord, error: unknown): Promise<void> {
    const message = describeError(error);
    this.#rt.logger.log('warn', `${record.account}: ${message}`, { account: record.account, state: record.state });
    const current = this.#record();
    if (current === undefined) return;
    await this.#set({ ...current, lastError: { message, at: this.#rt.clock.now().toISOString() } });
  }

  /** Runs until the owner is in a terminal state, is removed, or `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const first = this.#record();
    if (first === undefined) return;
    let delay: Next =
      first.state === 'new'
        ? 0
        : first.state === 'pending'
          ? this.#schedule.next()
          : first.state === 'connected'
            ? this.#watch.next()
            : undefined;
    while (delay !== undefined && !signal.aborted) {
      delay = this.#pushPaced(delay);
      // A push notice for this owner cuts the wait short.
      if (delay > 0) await (this.#rt.push?.wait(this.key, delay, signal) ?? this.#rt.clock.sleep(delay, signal));
      if (signal.aborted) return;
      const record = this.#record();
      if (record === undefined) return;
      try {
        delay = await this.#step(record, signal);
      } catch (error) {
        if (error instanceof AgentStopped) return;
        await this.#failed(record, error);
        // A 429 or 503 with RetryAfter (a rate limit at the front door) is "wait at least that
        // long", in every state: never a refusal that ends the connection (docs/security.md "Rate limits").
        const retryAfter = error instanceof ServiceRefusedError ? error.retryAfter : undefined;
        delay = record.state === 'connected' ? this.#watch.next(retryAfter) : this.#schedule.next(retryAfter);
      }
    }
  }

  /**
   * While the owner's service can push notices, a pending request is polled only at the cap
   * (a safety net for a lost notice); when the broker is unreachable, the normal schedule.
   */
  #pushPaced(delay: number): number {
    const record = this.#record();
    if (record?.state !== 'pending' || this.#rt.push?.live(record.service) !== true) return delay;
    return Math.max(delay, this.#watch.next());
  }

  async #step(record: OwnerRecord, signal: AbortSignal): Promise<Next> {
    switch (record.state) {
      case 'new':
        await this.#start(record.account, record.service, signal);
        this.#schedule.reset();
        return this.#schedule.next();
      case 'pending':
        return this.#poll(record, signal);
      case 'connected':
        return this.#checkRevocation(record, signal);
      case 'rejected':
      case 'revoked':
        return undefined;
    }
  }

  // --- new → pending -----------------------------------------------------------------

  async #start(account: string, service: string, signal: AbortSignal): Promise<void> {
    const rt = this.#rt;
    const random = rt.random;
    const hello = await untilAborted(rt.transport.hello(service), signal);
    if (hello.EnvelopedProfileService === undefined) {
      throw new ServiceAnswerError(
        `Hello from ${service} carries no EnvelopedProfileService, so its acknowledgement cannot be checked`,
      );
    }
    const serviceProfile = verifyProfileService(hello.EnvelopedProfileService, 'HelloResponse.EnvelopedProfileService');
    const pin = rt.settings.owners.find((o) => sameAccount(o.account, account))?.pin;
    const request = createRequestConnection({
      deviceSeed: rt.deviceSeed,
      accountAddress: account,
      random,
      profile: rt.profile,
      ...(pin === undefined ? {} : { pin }),
    });
    const answer = await untilAborted(
      rt.transport.connectStart(service, { AccountAddress: account, EnvelopedRequestConnection: request.json }),
      signal,
    );
    const accountProfile = verifyProfileAccount(
      answer.EnvelopedProfileAccount,
      'ConnectStartResponse.EnvelopedProfileAccount',
    );
    if (!sameAccount(accountProfile.accountAddress, account)) {
      throw new AccountMismatchError(
        `ConnectStart answered with the profile of ${accountProfile.accountAddress}, not of ${account}`,
      );
    }
    const ack = verifyAcknowledgeConnection(answer.EnvelopedAcknowledgeConnection, {
      accountProfile,
      serviceKey: serviceProfile.keys.serviceSignature,
      expectedRequestMessageId: request.messageId,
    });
    const current = this.#record();
    if (current === undefined) return;
    const pending: OwnerPending = {
      account: current.account,
      service: current.service,
      origin: current.origin,
      state: 'pending',
      since: rt.clock.now().toISOString(),
      responseId: responseId(ack.messageId),
      requestMessageId: request.messageId,
      witness: ack.witness,
      accountUdf: accountProfile.udf,
      enveloped: { profileAccount: accountProfile.json, acknowledgement: ack.json },
    };
    await this.#set(pending);
    rt.logger.log('info', `${account}: connection requested; compare the witness with the owner's`, {
      account,
      witness: ack.witness,
      device: rt.profile.udf,
      flow: pin === undefined ? 'witness' : 'pin',
    });
    rt.announcer.announce({ kind: 'witness', account, witness: ack.witness, deviceUdf: rt.profile.udf });
  }

  // --- pending → connected / rejected / new ---------------------------------------------

  async #poll(record: OwnerPending, signal: AbortSignal): Promise<Next> {
    const rt = this.#rt;
    let answer: ConnectStatusAnswer;
    try {
      answer = await untilAborted(
        rt.transport.connectStatus(record.service, { AccountAddress: record.account, ResponseId: record.responseId }),
        signal,
      );
    } catch (error) {
      if (error instanceof ServiceRefusedError && error.status === 404) {
        // A claim's answer is filed only when the claimant completes: not there yet.
        if (record.enveloped?.claim !== undefined) return this.#schedule.next(error.retryAfter);
        return this.#expired(record, 'the service no longer knows the request');
      }
      throw error;
    }
    switch (answer.Result) {
      case 'Pending':
        return this.#schedule.next(answer.RetryAfter);
      case 'Expired':
        return this.#expired(record, 'the request expired without an answer');
      case 'Revoked':
        await this.#revoked(record.account, record.accountUdf);
        return undefined;
      case 'Accept':
      case 'Reject':
        return this.#complete(record, answer);
    }
  }

  async #expired(record: OwnerPending, why: string): Promise<Next> {
    const rt = this.#rt;
    rt.logger.log('info', `${record.account}: ${why}; a fresh request follows`, { account: record.account });
    rt.announcer.announce({ kind: 'expired', account: record.account });
    await this.#set({
      account: record.account,
      service: record.service,
      origin: record.origin,
      state: 'new',
      since: rt.clock.now().toISOString(),
      lastError: { message: why, at: rt.clock.now().toISOString() },
    });
    this.#schedule.reset();
    return this.#schedule.next();
  }

  /** What the answer is checked against, re-verified from the persisted envelopes. */
  #verifiedContext(record: OwnerPending): {
    accountProfile: VerifiedProfileAccount;
    acknowledgement?: VerifiedAcknowledgeConnection;
    claim?: VerifiedMessageClaim;
  } {
    const env = record.enveloped ?? {};
    if (env.claim !== undefined) {
      if (this.#rt.claimSecrets === undefined)
        throw new ServiceAnswerError('a claimed connection needs the preconfiguration that made the device claimable');
      const claim = verifyClaimOnDevice(env.claim, this.#rt.claimSecrets);
      return { accountProfile: claim.claimant, claim };
    }
    if (
      env.profileAccount === undefined ||
      env.acknowledgement === undefined ||
      record.requestMessageId === undefined
    ) {
      throw new ServiceAnswerError(
        `the pending request of ${record.account} lacks its acknowledgement; a fresh request is needed`,
      );
    }
    const accountProfile = verifyProfileAccount(env.profileAccount, 'state.EnvelopedProfileAccount');
    const acknowledgement = verifyAcknowledgeConnection(env.acknowledgement, {
      accountProfile,
      expectedRequestMessageId: record.requestMessageId,
    });
    return { accountProfile, acknowledgement };
  }

  async #complete(record: OwnerPending, answer: ConnectStatusAnswer): Promise<Next> {
    const rt = this.#rt;
    if (answer.EnvelopedRespondConnection === undefined) {
      throw new ServiceAnswerError(`ConnectStatus answered ${answer.Result} without the owner's RespondConnection`);
    }
    const context = this.#verifiedContext(record);
    const done = completeConnection({
      respond: answer.EnvelopedRespondConnection,
      deviceSeed: rt.deviceSeed,
      accountProfile: context.accountProfile,
      ...(context.acknowledgement === undefined ? {} : { acknowledgement: context.acknowledgement }),
      ...(context.claim === undefined ? {} : { claim: context.claim }),
      random: rt.random,
    });
    const now = rt.clock.now().toISOString();
    if (done.result === 'Accept' && done.activationSeed !== undefined && done.catalogedDevice !== undefined) {
      // The seed first: a state saying "connected" always has its activation in the keystore.
      await rt.secrets.put(activationSecretName(record.account), utf8(done.activationSeed));
      const connected: OwnerConnected = {
        account: record.account,
        service: record.service,
        origin: record.origin,
        state: 'connected',
        since: now,
        responseId: record.responseId,
        accountUdf: context.accountProfile.udf,
        ...(record.witness === undefined ? {} : { witness: record.witness }),
        connectedAt: now,
        roles: done.connection?.Roles ?? [],
        catalogedDevice: CatalogedDeviceSchema.toJson(done.catalogedDevice),
        profileAccount: context.accountProfile.json,
      };
      await this.#set(connected);
      rt.logger.log('info', `${record.account}: connected`, {
        account: record.account,
        roles: connected.roles.join(','),
      });
      rt.announcer.announce({ kind: 'connected', account: record.account });
      rt.push?.ownerConnected(this.key);
      this.#schedule.reset();
      return this.#watch.next();
    }
    if (done.result === 'Reject') {
      await this.#set({
        account: record.account,
        service: record.service,
        origin: record.origin,
        state: 'rejected',
        since: now,
        ...(record.witness === undefined ? {} : { witness: record.witness }),
      });
      rt.logger.log('info', `${record.account}: the owner rejected the device`, { account: record.account });
      rt.announcer.announce({ kind: 'rejected', account: record.account });
      return undefined;
    }
    // A signed answer saying Pending or Expired: keep to the schedule.
    if (done.result === 'Expired') return this.#expired(record, 'the owner answered Expired');
    return this.#schedule.next();
  }

  // --- connected → revoked ---------------------------------------------------------------

  async #checkRevocation(record: OwnerConnected, signal: AbortSignal): Promise<Next> {
    const answer = await untilAborted(
      this.#rt.transport.connectStatus(record.service, {
        AccountAddress: record.account,
        ResponseId: record.responseId,
      }),
      signal,
    );
    if (answer.Result === 'Revoked') {
      await this.#revoked(record.account, record.accountUdf);
      return undefined;
    }
    if (record.lastError !== undefined) await this.#set(dropLastError(record));
    // The owner's application entry is checked with each connected check.
    this.#rt.push?.ownerConnected(this.key);
    return this.#watch.next();
  }

  async #revoked(account: string, accountUdf: string | undefined): Promise<void> {
    const rt = this.#rt;
    const current = this.#record();
    if (current === undefined) return;
    // State first: a crash before the delete leaves an orphan seed that the next start removes.
    await this.#set({
      account: current.account,
      service: current.service,
      origin: current.origin,
      state: 'revoked',
      since: rt.clock.now().toISOString(),
      ...(accountUdf === undefined ? {} : { accountUdf }),
    });
    await rt.secrets.delete(activationSecretName(account));
    await rt.push?.ownerGone(this.key);
    rt.logger.log('info', `${account}: the owner revoked the device; its activation was deleted`, { account });
    rt.announcer.announce({ kind: 'revoked', account });
  }
}

function dropLastError<T extends OwnerRecord>(record: T): T {
  const { lastError: _gone, ...rest } = record;
  return rest as T;
}

/** Errors that say nothing about the answer itself: the service could not be asked. */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof TransportUnavailableError ||
    error instanceof ServiceAnswerError ||
    (error instanceof ServiceRefusedError && (error.status >= 500 || error.status === 429))
  );
}
