/**
 * @module agent/claim-watcher
 * The claimed QR label (docs/mesh-compatibility.md §6.2 (b) 2-4). A preconfigured device
 * polls its maker's service (PollClaim with its PublicationId) and checks each new claim
 * itself: both authenticators at 100 bits and the claimant's own signature
 * (verifyClaimOnDevice). A good first claim becomes a pending connection with the claimant
 * (ConnectStatus with ResponseId(claim.MessageId) at the claimant's service). A claim when
 * the device already has an owner is never accepted silently (claims.additionalClaims):
 *
 * - `reject`: refused and logged;
 * - `physical-confirmation`: held, and a short code is announced; someone at the device runs
 *   `mesh-agent approve-claim <code>`, which drops the code where ConfirmationInbox finds it;
 * - `owner-approval`: held and announced. An existing owner approves with `mesh device
 *   approve-claim <device> --claimant <account>`: a ClaimApproval signed by its admin key,
 *   which its service files under its catalog entry of the device and returns with the
 *   ConnectStatus of that connection (docs/service-protocol.md "Claim approval"). While such
 *   a claim is held, the watcher asks every *connected* owner's ConnectStatus (first at once,
 *   then backing off to the cap) and accepts the claim on an approval that verifies against
 *   THAT owner's account profile (the one the device connected with), is for this device,
 *   names the claimant and has not expired (verifyClaimApproval); it then proceeds as with a
 *   physical confirmation. Anything else — another key, another device, another claimant,
 *   expired, relayed with a Revoked answer — is refused and logged, and the claim stays held.
 *   A used approval is remembered (`approval:<MessageId>` in claims.seen) and not used twice.
 *
 * The claimant's service: the owners[] entry of that account if there is one, else the
 * maker's service when the claimant's domain is the maker's, else `https://<domain>/`
 * (the configuration's default for an owner).
 *
 * PollClaim returns only the latest claim, so handled claims are remembered by MessageId
 * (a claim that fails its checks by the digest of its envelope) and not handled twice.
 */
import { toHex, utf8 } from '../crypto/bytes.js';
import { sha256 } from '../crypto/hash.js';
import { checkClaimApproval, openClaimApproval, type VerifiedClaimApproval } from '../mesh/connect/claim-approval.js';
import { verifyClaimOnDevice, type VerifiedMessageClaim } from '../mesh/connect/message-claim.js';
import { verifyProfileAccount } from '../mesh/profiles/profile-account.js';
import { sameAccount } from '../mesh/connect/request-connection.js';
import { base32Encode } from '../mesh/encoding/base32.js';
import type { EnvelopeJson } from '../mesh/schema/envelope-json.js';
import {
  SEEN_CLAIMS_LIMIT,
  ownerKey,
  type AgentState,
  type ClaimsRecord,
  type HeldClaim,
  type OwnerConnected,
  type OwnerPending,
} from './agent-state.js';
import type { ConnectStatusAnswer } from './ports.js';
import type { AgentRuntime, ClaimSettings } from './agent-runtime.js';
import { AgentStopped, untilAborted } from './agent-stopped.js';
import { describeError } from './describe-error.js';
import { RetrySchedule } from './retry-schedule.js';
import { CLAIMS_WAKE_KEY } from './push/push-hub.js';
import { ServiceAnswerError, ServiceRefusedError } from './transport-errors.js';

/** Default pace at which a held claim looks for a typed confirmation. */
export const DEFAULT_CONFIRMATION_CHECK_MS = 1_000;

/**
 * The code a person types to confirm a held claim: 8 Base32 characters (40 bits) from the
 * device UDF and the claim's MessageId, shown on the device only. It selects the claim; the
 * proof is having a shell on the device.
 */
export function confirmationCode(deviceUdf: string, claimMessageId: string): string {
  const digest = sha256(utf8(`mesh-agent claim confirmation\n${deviceUdf}\n${claimMessageId}`));
  const text = base32Encode(digest.subarray(0, 5));
  return `${text.slice(0, 4)}-${text.slice(4, 8)}`;
}

/** Codes are compared without dashes, spaces or case. */
export function normalizeCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}

/** Where the claimant's answer will be (module comment). */
export function claimantService(
  claimant: string,
  owners: readonly { account: string; service: string }[],
  claims: ClaimSettings,
): string {
  const configured = owners.find((o) => sameAccount(o.account, claimant));
  if (configured !== undefined) return configured.service;
  const domain = (a: string): string => a.slice(a.lastIndexOf('@') + 1).toLowerCase();
  if (domain(claimant) === domain(claims.account)) return claims.service;
  return `https://${domain(claimant)}/`;
}

function withClaims(state: AgentState, claims: ClaimsRecord): AgentState {
  return { ...state, claims };
}

function remember(claims: ClaimsRecord, id: string): ClaimsRecord {
  if (claims.seen.includes(id)) return claims;
  return { ...claims, seen: [...claims.seen, id].slice(-SEEN_CLAIMS_LIMIT) };
}

/** Whether the device already has an owner a later claim must not displace silently. */
function hasOwner(state: AgentState): boolean {
  return Object.values(state.owners).some((o) => o.state === 'connected' || o.state === 'pending' || o.state === 'new');
}

/** The seen-list entry of a used ClaimApproval (claims.seen also holds claim MessageIds). */
export function approvalSeenId(messageId: string): string {
  return `approval:${messageId}`;
}

/** Whether some held claim waits for an existing owner's approval. */
function awaitingApproval(state: AgentState): boolean {
  return state.claims.held.some((h) => h.policy === 'owner-approval');
}

export class ClaimWatcher {
  readonly #rt: AgentRuntime;
  readonly #claims: ClaimSettings;
  readonly #schedule: RetrySchedule;
  /** Pace of asking connected owners for approvals; reset when a claim is held. */
  readonly #approvalSchedule: RetrySchedule;
  #nextApprovalCheck = 0;
  /** Approvals refused (by envelope digest): logged once per start, not checked again. */
  readonly #refused = new Set<string>();
  /** Valid approvals that matched no held claim (by MessageId): logged once per start. */
  readonly #unmatched = new Set<string>();

  constructor(runtime: AgentRuntime, claims: ClaimSettings) {
    this.#rt = runtime;
    this.#claims = claims;
    this.#schedule = new RetrySchedule(runtime.settings.polling, runtime.random);
    this.#approvalSchedule = new RetrySchedule(runtime.settings.polling, runtime.random);
  }

  async run(signal: AbortSignal): Promise<void> {
    const rt = this.#rt;
    let nextPoll = rt.clock.now().getTime();
    const tick = rt.settings.confirmationCheckMs ?? DEFAULT_CONFIRMATION_CHECK_MS;
    while (!signal.aborted) {
      const now = rt.clock.now().getTime();
      if (now >= nextPoll) {
        try {
          await this.pollOnce(signal);
          nextPoll = rt.clock.now().getTime() + this.#schedule.next();
        } catch (error) {
          if (error instanceof AgentStopped) return;
          await this.#failed(error);
          nextPoll =
            rt.clock.now().getTime() +
            this.#schedule.next(error instanceof ServiceRefusedError ? error.retryAfter : undefined);
        }
      }
      if (signal.aborted) return;
      const held = rt.state().claims.held.some((h) => h.policy === 'physical-confirmation');
      if (held) {
        try {
          await this.checkConfirmations();
        } catch (error) {
          await this.#failed(error);
        }
      }
      if (awaitingApproval(rt.state()) && rt.clock.now().getTime() >= this.#nextApprovalCheck) {
        let retryAfter: number | undefined;
        try {
          await this.checkApprovals(signal);
        } catch (error) {
          if (error instanceof AgentStopped) return;
          await this.#failed(error);
          // A rate-limited service's RetryAfter is a floor here too (docs/security.md "Rate limits").
          if (error instanceof ServiceRefusedError) retryAfter = error.retryAfter;
        }
        this.#nextApprovalCheck = rt.clock.now().getTime() + this.#approvalSchedule.next(retryAfter);
      }
      if (signal.aborted) return;
      let wait = Math.max(0, nextPoll - rt.clock.now().getTime());
      if (awaitingApproval(rt.state()))
        wait = Math.min(wait, Math.max(0, this.#nextApprovalCheck - rt.clock.now().getTime()));
      // A claim notice cuts the wait short.
      const pause = held ? Math.min(wait, tick) : wait;
      await (rt.push?.wait(CLAIMS_WAKE_KEY, pause, signal) ?? rt.clock.sleep(pause, signal));
    }
  }

  async #failed(error: unknown): Promise<void> {
    const rt = this.#rt;
    const message = describeError(error);
    rt.logger.log('warn', `claims: ${message}`, { maker: this.#claims.account });
    await rt.update((s) =>
      withClaims(s, { ...s.claims, lastError: { kind: 'failed', message, at: rt.clock.now().toISOString() } }),
    );
  }

  /** One PollClaim and the handling of what it returns. */
  async pollOnce(signal: AbortSignal): Promise<void> {
    const rt = this.#rt;
    const secrets = rt.claimSecrets;
    if (secrets === undefined) return;
    const answer = await untilAborted(
      rt.transport.pollClaim(this.#claims.service, {
        PublicationId: secrets.publicationId,
        TargetAccountAddress: this.#claims.account,
      }),
      signal,
    );
    const at = rt.clock.now().toISOString();
    // lastError stays: it is the last thing that went wrong, with its time, not a current fault.
    await rt.update((s) => withClaims(s, { ...s.claims, lastPoll: at }));
    if (answer.EnvelopedMessageClaim !== undefined) await this.handleClaim(answer.EnvelopedMessageClaim);
  }

  async handleClaim(envelope: EnvelopeJson): Promise<void> {
    const rt = this.#rt;
    const secrets = rt.claimSecrets;
    if (secrets === undefined) return;
    let verified: VerifiedMessageClaim;
    try {
      verified = verifyClaimOnDevice(envelope, secrets, rt.clock.now());
    } catch (error) {
      const id = `refused:${toHex(sha256(utf8(JSON.stringify(envelope)))).slice(0, 32)}`;
      if (rt.state().claims.seen.includes(id)) return;
      const reason = describeError(error);
      rt.logger.log('warn', `claims: a claim of this device was refused: ${reason}`, { maker: this.#claims.account });
      rt.announcer.announce({ kind: 'claim-refused', claimant: 'unverified', reason });
      await rt.update((s) =>
        withClaims(s, {
          ...remember(s.claims, id),
          lastError: { kind: 'claim-refused', message: `claim refused: ${reason}`, at: rt.clock.now().toISOString() },
        }),
      );
      return;
    }
    const state = rt.state();
    if (state.claims.seen.includes(verified.messageId)) return;
    const claimant = verified.claimant.accountAddress;
    const existing = state.owners[ownerKey(claimant)];
    if (existing !== undefined && existing.state !== 'rejected' && existing.state !== 'revoked') {
      rt.logger.log('info', `claims: ${claimant} claimed the device and is already one of its owners; nothing to do`, {
        claimant,
      });
      await rt.update((s) => withClaims(s, remember(s.claims, verified.messageId)));
      return;
    }
    if (!hasOwner(state)) {
      await this.#connect(verified, 'first claim of the label');
      return;
    }
    const policy = this.#claims.additionalClaims;
    if (policy === 'reject') {
      const reason = 'the device already has an owner and claims.additionalClaims is "reject"';
      rt.logger.log('warn', `claims: claim by ${claimant} refused: ${reason}`, { claimant });
      rt.announcer.announce({ kind: 'claim-refused', claimant, reason });
      await rt.update((s) => withClaims(s, remember(s.claims, verified.messageId)));
      return;
    }
    const held: HeldClaim = {
      messageId: verified.messageId,
      claimant,
      policy,
      ...(policy === 'physical-confirmation' ? { code: confirmationCode(rt.profile.udf, verified.messageId) } : {}),
      claim: verified.json,
      received: rt.clock.now().toISOString(),
    };
    await rt.update((s) =>
      withClaims(s, { ...remember(s.claims, verified.messageId), held: [...s.claims.held, held].slice(-8) }),
    );
    if (policy === 'physical-confirmation') {
      rt.logger.log(
        'warn',
        `claims: ${claimant} claimed the device, which already has an owner; confirm on the device with: mesh-agent approve-claim ${held.code}`,
        {
          claimant,
          code: held.code,
        },
      );
    } else {
      rt.logger.log(
        'warn',
        `claims: ${claimant} claimed the device, which already has an owner; held until an existing owner approves with: mesh device approve-claim ${rt.profile.udf} --claimant ${claimant}`,
        {
          claimant,
        },
      );
      // Ask the connected owners at once: the approval may already be there.
      this.#approvalSchedule.reset();
      this.#nextApprovalCheck = 0;
    }
    rt.announcer.announce({
      kind: 'claim-held',
      claimant,
      policy,
      ...(held.code === undefined ? {} : { code: held.code }),
    });
  }

  /** Promotes held claims whose code someone confirmed on the device. */
  async checkConfirmations(): Promise<void> {
    const rt = this.#rt;
    const inbox = rt.confirmations;
    if (inbox === undefined) return;
    const codes = (await inbox.take()).map(normalizeCode);
    for (const code of codes) {
      const held = rt.state().claims.held.find((h) => h.code !== undefined && normalizeCode(h.code) === code);
      if (held === undefined) {
        rt.logger.log('warn', `claims: confirmation code ${code} matches no held claim; ignored`, { code });
        continue;
      }
      await rt.update((s) =>
        withClaims(s, { ...s.claims, held: s.claims.held.filter((h) => h.messageId !== held.messageId) }),
      );
      let verified: VerifiedMessageClaim;
      try {
        verified = verifyClaimOnDevice(
          held.claim,
          rt.claimSecrets ?? { publicationId: '', serviceAuthenticator: '', deviceAuthenticator: '' },
          rt.clock.now(),
        );
      } catch (error) {
        rt.logger.log(
          'warn',
          `claims: the confirmed claim by ${held.claimant} no longer verifies: ${describeError(error)}`,
          { claimant: held.claimant },
        );
        continue;
      }
      await this.#connect(verified, 'confirmed on the device');
    }
  }

  /**
   * Asks each connected owner's service (ConnectStatus of the connection that owner made)
   * for its ClaimApprovals, and accepts the held claims they approve. An owner whose service
   * cannot be reached is skipped until the next round.
   */
  async checkApprovals(signal: AbortSignal): Promise<void> {
    const rt = this.#rt;
    if (!awaitingApproval(rt.state())) return;
    for (const owner of Object.values(rt.state().owners)) {
      if (owner.state !== 'connected') continue;
      let answer: ConnectStatusAnswer;
      try {
        answer = await untilAborted(
          rt.transport.connectStatus(owner.service, { AccountAddress: owner.account, ResponseId: owner.responseId }),
          signal,
        );
      } catch (error) {
        if (error instanceof AgentStopped) throw error;
        rt.logger.log('warn', `claims: could not ask ${owner.account} for claim approvals: ${describeError(error)}`, {
          account: owner.account,
        });
        continue;
      }
      await this.considerApprovals(owner, answer);
      if (!awaitingApproval(rt.state())) return;
    }
  }

  /**
   * The approvals one connected owner's ConnectStatus relayed (module comment): each is
   * verified against that owner's profile and this device, then matched to a held claim.
   */
  async considerApprovals(owner: OwnerConnected, answer: ConnectStatusAnswer): Promise<void> {
    const rt = this.#rt;
    const envelopes = answer.EnvelopedClaimApprovals ?? [];
    if (envelopes.length === 0) return;
    for (const envelope of envelopes) {
      const digest = `approval-envelope:${toHex(sha256(utf8(JSON.stringify(envelope) ?? ''))).slice(0, 32)}`;
      if (this.#refused.has(digest)) continue;
      let approval: VerifiedClaimApproval;
      try {
        if (answer.Result !== 'Accept') {
          throw new ServiceAnswerError(
            `${owner.account}'s ConnectStatus answered ${answer.Result}, not Accept: approvals are taken only from an owner still connected`,
          );
        }
        const profile = verifyProfileAccount(owner.profileAccount, 'state.owners.profileAccount');
        if (profile.udf !== owner.accountUdf) {
          throw new ServiceAnswerError(
            `the stored profile of ${owner.account} is not the one the device connected with`,
          );
        }
        approval = openClaimApproval(envelope, { accountProfile: profile });
        checkClaimApproval(approval, { deviceUdf: rt.profile.udf, now: rt.clock.now() });
      } catch (error) {
        this.#refused.add(digest);
        const message = `claim approval relayed for ${owner.account} refused: ${describeError(error)}`;
        rt.logger.log('warn', `claims: ${message}; held claims stay held`, { account: owner.account });
        await rt.update((s) =>
          withClaims(s, { ...s.claims, lastError: { kind: 'failed', message, at: rt.clock.now().toISOString() } }),
        );
        continue;
      }
      const seenId = approvalSeenId(approval.messageId);
      if (rt.state().claims.seen.includes(seenId)) continue;
      const claimant = approval.approval.Claimant;
      const held = rt
        .state()
        .claims.held.find((h) => h.policy === 'owner-approval' && sameAccount(h.claimant, claimant));
      if (held === undefined) {
        if (!this.#unmatched.has(approval.messageId)) {
          this.#unmatched.add(approval.messageId);
          rt.logger.log(
            'info',
            `claims: ${owner.account} approved a claim by ${claimant}, who has no held claim; kept until it expires`,
            { account: owner.account, claimant },
          );
        }
        continue;
      }
      await rt.update((s) =>
        withClaims(s, {
          ...remember(s.claims, seenId),
          held: s.claims.held.filter((h) => h.messageId !== held.messageId),
        }),
      );
      let verified: VerifiedMessageClaim;
      try {
        verified = verifyClaimOnDevice(
          held.claim,
          rt.claimSecrets ?? { publicationId: '', serviceAuthenticator: '', deviceAuthenticator: '' },
          rt.clock.now(),
        );
      } catch (error) {
        rt.logger.log(
          'warn',
          `claims: the approved claim by ${held.claimant} no longer verifies: ${describeError(error)}`,
          { claimant: held.claimant },
        );
        continue;
      }
      rt.logger.log('info', `claims: ${owner.account} approved the claim by ${held.claimant}`, {
        account: owner.account,
        claimant: held.claimant,
        approval: approval.messageId,
      });
      await this.#connect(verified, `approved by ${owner.account}`);
    }
  }

  async #connect(verified: VerifiedMessageClaim, why: string): Promise<void> {
    const rt = this.#rt;
    const claimant = verified.claimant.accountAddress;
    const key = ownerKey(claimant);
    const service = claimantService(claimant, rt.settings.owners, this.#claims);
    const pending: OwnerPending = {
      account: claimant,
      service,
      origin: 'claim',
      state: 'pending',
      since: rt.clock.now().toISOString(),
      responseId: verified.responseId,
      accountUdf: verified.claimant.udf,
      enveloped: { claim: verified.json },
    };
    await rt.update((s) => ({
      ...withClaims(s, remember(s.claims, verified.messageId)),
      owners: { ...s.owners, [key]: pending },
    }));
    rt.logger.log('info', `claims: ${claimant} claimed the device (${why}); waiting for its answer at ${service}`, {
      claimant,
      service,
    });
    rt.startOwner(key);
  }
}
