/**
 * @module agent/announce/device-display
 * What the device's own channels (status LED, serial console) show, derived from the status
 * snapshot the agent writes after every change (AgentStatus): the fingerprint, the label's
 * ConnectUri, each owner's state, each pending witness with its check code, and the one LED
 * state that sums the device up. Deriving it from the status, rather than from events, makes
 * "on boot and on every change" hold by construction, restarts included.
 *
 * The LED state, first match wins (a person's action matters most):
 * 1. waiting: an owner is `pending` with a witness: blink its check code (all of them, in
 *    account order);
 * 2. error: an owner is `new` or `pending` and its last attempt failed (`lastError`), or the
 *    maker's service failed its latest PollClaim (claims.lastError newer than claims.lastPoll,
 *    a refused claim excepted: that is the claimant's fault, not the device's);
 * 3. connecting: an owner is `new`, or `pending` without a witness (a claim being answered);
 * 4. connected: an owner is `connected`;
 * 5. unprovisioned: no owner, or only rejected/revoked ones (a labelled device awaiting its claim).
 */
import type { AgentStatus } from '../agent-status.js';
import { checkCode } from '../check-code.js';
import type { LedState } from '../led/led-pattern.js';

export interface PendingWitness {
  readonly account: string;
  readonly witness: string;
  readonly checkCode: string;
}

export interface DeviceDisplay {
  readonly deviceUdf: string;
  readonly mode: 'factory' | 'self';
  readonly connectUri?: string;
  readonly owners: readonly { readonly account: string; readonly state: string }[];
  readonly pending: readonly PendingWitness[];
  readonly claimsHeld: readonly { readonly claimant: string; readonly policy: string; readonly code?: string }[];
  readonly led: LedState;
}

/** The check code, or undefined for a witness that is not a UDF string (it is then shown without one). */
function safeCheckCode(witness: string): string | undefined {
  try {
    return checkCode(witness);
  } catch {
    return undefined;
  }
}

function ledStateOf(status: AgentStatus, pending: readonly PendingWitness[]): LedState {
  if (pending.length > 0) return { kind: 'waiting', checkCodes: pending.map((p) => p.checkCode) };
  const asking = status.owners.filter((o) => o.state === 'new' || o.state === 'pending');
  const claims = status.claims;
  const claimsFailing =
    claims?.lastError !== undefined &&
    claims.lastError.kind !== 'claim-refused' &&
    (claims.lastPoll === undefined || claims.lastError.at > claims.lastPoll);
  if (asking.some((o) => o.lastError !== undefined) || claimsFailing) return { kind: 'error' };
  if (asking.length > 0) return { kind: 'connecting' };
  if (status.owners.some((o) => o.state === 'connected')) return { kind: 'connected' };
  return { kind: 'unprovisioned' };
}

export function deviceDisplay(status: AgentStatus): DeviceDisplay {
  const pending: PendingWitness[] = [];
  for (const o of status.owners) {
    if (o.state !== 'pending' || o.witness === undefined) continue;
    const code = safeCheckCode(o.witness);
    if (code !== undefined) pending.push({ account: o.account, witness: o.witness, checkCode: code });
  }
  return {
    deviceUdf: status.device.udf,
    mode: status.device.mode,
    ...(status.device.connectUri === undefined ? {} : { connectUri: status.device.connectUri }),
    owners: status.owners.map((o) => ({ account: o.account, state: o.state })),
    pending,
    claimsHeld: (status.claims?.held ?? []).map((h) => ({
      claimant: h.claimant,
      policy: h.policy,
      ...(h.code === undefined ? {} : { code: h.code }),
    })),
    led: ledStateOf(status, pending),
  };
}

/** The same display twice gives the same key: channels redraw only when it changes. */
export function displayKey(display: DeviceDisplay): string {
  return JSON.stringify(display);
}
