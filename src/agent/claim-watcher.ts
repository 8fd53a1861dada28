/**
 * @module agent/claim-watcher
 * The claimed QR label (issue 4 §3; mesh-reference §6.2 (b) 2-4). A preconfigured device
 * polls its maker's service (PollClaim with its PublicationId) and checks each new claim
 * itself: both authenticators at 100 bits and the claimant's own signature
 * (verifyClaimOnDevice). A good first claim becomes a pending connection with the claimant
 * (ConnectStatus with ResponseId(claim.MessageId) at the claimant's service). A claim when
 * the device already has an owner is never accepted silently (claims.additionalClaims):
 *
 * - `reject`: refused and logged;
 * - `physical-confirmation`: held, and a short code is announced; someone at the device runs
 *   `mesh-agent approve-claim <code>`, which drops the code where ConfirmationInbox finds it;
 * - `owner-approval`: held and announced. The service contract has no channel yet that
 *   carries an existing owner's signed approval to the device (a RespondConnection "Accept"
 *   must carry a CatalogedDevice, which would rewrite that owner's catalog entry), so such a
 *   claim stays held: it is never accepted without approval.
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
import { verifyClaimOnDevice, type VerifiedMessageClaim } from '../mesh/connect/message-claim.js';
import { sameAccount } from '../mesh/connect/request-connection.js';
import { base32Encode } from '../mesh/encoding/base32.js';
import type { EnvelopeJson } from '../mesh/schema/envelope-json.js';
import {
  SEEN_CLAIMS_LIMIT,
  ownerKey,
  type AgentState,
  type ClaimsRecord,
  type HeldClaim,
  type OwnerPending,
} from './agent-state.js';
import { AgentStopped, describeError, untilAborted, type AgentRuntime, type ClaimSettings } from './agent-runtime.js';
import { RetrySchedule } from './retry-schedule.js';
import { ServiceRefusedError } from './transport-errors.js';

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
export function claimantService(claimant: string, owners: readonly { account: string; service: string }[], claims: ClaimSettings): string {
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

export class ClaimWatcher {
  readonly #rt: AgentRuntime;
  readonly #claims: ClaimSettings;
  readonly #schedule: RetrySchedule;

  constructor(runtime: AgentRuntime, claims: ClaimSettings) {
    this.#rt = runtime;
    this.#claims = claims;
    this.#schedule = new RetrySchedule(runtime.settings.polling, runtime.random);
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
          nextPoll = rt.clock.now().getTime() + this.#schedule.next(error instanceof ServiceRefusedError ? error.retryAfter : undefined);
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
      const wait = Math.max(0, nextPoll - rt.clock.now().getTime());
      await rt.clock.sleep(held ? Math.min(wait, tick) : wait, signal);
    }
  }

  async #failed(error: unknown): Promise<void> {
    const rt = this.#rt;
    const message = describeError(error);
    rt.logger.log('warn', `claims: ${message}`, { maker: this.#claims.account });
    await rt.update((s) => withClaims(s, { ...s.claims, lastError: { message, at: rt.clock.now().toISOString() } }));
  }

  /** One PollClaim and the handling of what it returns. */
  async pollOnce(signal: AbortSignal): Promise<void> {
    const rt = this.#rt;
    const secrets = rt.claimSecrets;
    if (secrets === undefined) return;
    const answer = await untilAborted(
      rt.transport.pollClaim(this.#claims.service, { PublicationId: secrets.publicationId, TargetAccountAddress: this.#claims.account }),
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
      await rt.update((s) => withClaims(s, { ...remember(s.claims, id), lastError: { message: `claim refused: ${reason}`, at: rt.clock.now().toISOString() } }));
      return;
    }
    const state = rt.state();
    if (state.claims.seen.includes(verified.messageId)) return;
    const claimant = verified.claimant.accountAddress;
    const existing = state.owners[ownerKey(claimant)];
    if (existing !== undefined && existing.state !== 'rejected' && existing.state !== 'revoked') {
      rt.logger.log('info', `claims: ${claimant} claimed the device and is already one of its owners; nothing to do`, { claimant });
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
    await rt.update((s) => withClaims(s, { ...remember(s.claims, verified.messageId), held: [...s.claims.held, held].slice(-8) }));
    if (policy === 'physical-confirmation') {
      rt.logger.log('warn', `claims: ${claimant} claimed the device, which already has an owner; confirm on the device with: mesh-agent approve-claim ${held.code}`, {
        claimant,
        code: held.code,
      });
    } else {
      rt.logger.log('warn', `claims: ${claimant} claimed the device, which already has an owner; held until an existing owner approves (not yet possible over the service: the claim stays held)`, {
        claimant,
      });
    }
    rt.announcer.announce({ kind: 'claim-held', claimant, policy, ...(held.code === undefined ? {} : { code: held.code }) });
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
      await rt.update((s) => withClaims(s, { ...s.claims, held: s.claims.held.filter((h) => h.messageId !== held.messageId) }));
      let verified: VerifiedMessageClaim;
      try {
        verified = verifyClaimOnDevice(held.claim, rt.claimSecrets ?? { publicationId: '', serviceAuthenticator: '', deviceAuthenticator: '' }, rt.clock.now());
      } catch (error) {
        rt.logger.log('warn', `claims: the confirmed claim by ${held.claimant} no longer verifies: ${describeError(error)}`, { claimant: held.claimant });
        continue;
      }
      await this.#connect(verified, 'confirmed on the device');
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
    await rt.update((s) => ({ ...withClaims(s, remember(s.claims, verified.messageId)), owners: { ...s.owners, [key]: pending } }));
    rt.logger.log('info', `claims: ${claimant} claimed the device (${why}); waiting for its answer at ${service}`, { claimant, service });
    rt.startOwner(key);
  }
}
