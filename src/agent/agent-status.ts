/**
 * @module agent/agent-status
 * What `mesh-agent status` shows: the device UDF, the keystore tier, the mode,
 * the ConnectUri of a preconfigured device, and each owner with its state, witness and last
 * error. The running agent writes it (StateStore.saveStatus) after every change, and
 * `status` can also build it from the state file alone when the agent is stopped.
 */
import type { AgentState, ClaimsError, OwnerOrigin, OwnerStateName } from './agent-state.js';
import type { SecretStoreTier } from './secret-store.js';
import type { MqttAgentStatus } from './push/mqtt-status.js';

export const STATUS_FORMAT = 'mesh-agent-status/1';

export interface OwnerStatus {
  readonly account: string;
  readonly service: string;
  readonly origin: OwnerOrigin;
  readonly state: OwnerStateName;
  readonly since: string;
  readonly witness?: string;
  readonly connectedAt?: string;
  readonly roles?: readonly string[];
  readonly lastError?: { readonly message: string; readonly at: string };
}

export interface AgentStatus {
  readonly Format: typeof STATUS_FORMAT;
  readonly version: string;
  /** True while an agent process runs on this state (see `pid`). */
  readonly running: boolean;
  readonly pid?: number;
  readonly updated: string;
  readonly device: {
    readonly udf: string;
    readonly mode: 'factory' | 'self';
    readonly connectUri?: string;
    readonly makerAccount?: string;
  };
  readonly keystore: { readonly tier: SecretStoreTier | 'unknown'; readonly description: string };
  readonly owners: readonly OwnerStatus[];
  readonly claims?: {
    readonly maker: string;
    readonly service: string;
    readonly additionalClaims: string;
    readonly held: readonly {
      readonly claimant: string;
      readonly policy: string;
      readonly code?: string;
      readonly received: string;
    }[];
    readonly lastPoll?: string;
    readonly lastError?: ClaimsError;
  };
  /** Push-notice brokers and each owner's application broker, with their state. */
  readonly mqtt?: MqttAgentStatus;
}

export interface StatusContext {
  readonly version: string;
  readonly running: boolean;
  readonly pid?: number;
  readonly now: Date;
  readonly keystore: { readonly tier: SecretStoreTier | 'unknown'; readonly description: string };
  readonly claims?: { readonly account: string; readonly service: string; readonly additionalClaims: string };
  readonly mqtt?: MqttAgentStatus;
}

export function buildStatus(state: AgentState, context: StatusContext): AgentStatus {
  const owners = Object.values(state.owners)
    .map((o): OwnerStatus => {
      const witness = 'witness' in o ? o.witness : undefined;
      return {
        account: o.account,
        service: o.service,
        origin: o.origin,
        state: o.state,
        since: o.since,
        ...(witness === undefined ? {} : { witness }),
        ...(o.state === 'connected' ? { connectedAt: o.connectedAt, roles: o.roles } : {}),
        ...(o.lastError === undefined ? {} : { lastError: o.lastError }),
      };
    })
    .sort((a, b) => a.account.localeCompare(b.account));
  const d = state.device;
  return {
    Format: STATUS_FORMAT,
    version: context.version,
    running: context.running,
    ...(context.pid === undefined ? {} : { pid: context.pid }),
    updated: context.now.toISOString(),
    device: {
      udf: d.udf,
      mode: d.mode,
      ...(d.connectUri === undefined ? {} : { connectUri: d.connectUri }),
      ...(d.makerAccount === undefined ? {} : { makerAccount: d.makerAccount }),
    },
    keystore: context.keystore,
    owners,
    ...(context.claims === undefined
      ? {}
      : {
          claims: {
            maker: context.claims.account,
            service: context.claims.service,
            additionalClaims: context.claims.additionalClaims,
            held: state.claims.held.map((h) => ({
              claimant: h.claimant,
              policy: h.policy,
              ...(h.code === undefined ? {} : { code: h.code }),
              received: h.received,
            })),
            ...(state.claims.lastPoll === undefined ? {} : { lastPoll: state.claims.lastPoll }),
            ...(state.claims.lastError === undefined ? {} : { lastError: state.claims.lastError }),
          },
        }),
    ...(context.mqtt === undefined ? {} : { mqtt: context.mqtt }),
  };
}

/** Human-readable lines for `mesh-agent status` without --json. */
export function formatStatus(status: AgentStatus): string[] {
  const lines = [
    `device      ${status.device.udf}`,
    `mode        ${status.device.mode}`,
    `keystore    ${status.keystore.tier}: ${status.keystore.description}`,
    `agent       ${status.running ? `running (pid ${status.pid ?? '?'})` : 'stopped'}, as of ${status.updated}`,
  ];
  if (status.device.connectUri !== undefined) lines.push(`connect uri ${status.device.connectUri}`);
  if (status.owners.length === 0) lines.push('owners      none');
  for (const o of status.owners) {
    const parts = [`owner       ${o.account}: ${o.state}`];
    if (o.witness !== undefined) parts.push(`witness ${o.witness}`);
    if (o.origin === 'claim') parts.push('(claimed)');
    lines.push(parts.join('  '));
    if (o.lastError !== undefined) lines.push(`            last error ${o.lastError.at}: ${o.lastError.message}`);
  }
  if (status.claims !== undefined) {
    lines.push(
      `claims      via ${status.claims.maker} at ${status.claims.service} (additional claims: ${status.claims.additionalClaims})`,
    );
    for (const h of status.claims.held) {
      lines.push(
        `            held claim by ${h.claimant}: awaiting ${h.policy}${h.code === undefined ? '' : `, code ${h.code}`}`,
      );
    }
    if (status.claims.lastError !== undefined)
      lines.push(`            last error ${status.claims.lastError.at}: ${status.claims.lastError.message}`);
  }
  for (const p of status.mqtt?.push ?? []) {
    lines.push(`push        ${p.broker} for ${p.service}: ${p.state} since ${p.since}`);
    if (p.lastError !== undefined) lines.push(`            last error ${p.lastError.at}: ${p.lastError.message}`);
  }
  for (const a of status.mqtt?.applications ?? []) {
    lines.push(
      `mqtt        ${a.account}: ${a.state}${a.broker === undefined ? '' : ` at ${a.broker}`}${a.topic === undefined ? '' : ` (${a.topic})`}`,
    );
    if (a.lastError !== undefined) lines.push(`            last error ${a.lastError.at}: ${a.lastError.message}`);
  }
  return lines;
}
