/**
 * @module cli/agent/status-command
 * `mesh-agent status [--json] --config <file>`: the device UDF, keystore tier, mode, the
 * ConnectUri of a preconfigured device, and each owner with its state, witness and last
 * error. It reads the status file the running agent keeps current; with no
 * agent running it still answers, from the same file (marked stopped; "not shut down
 * cleanly" when the agent that wrote it died) or, if there is none, from the state file.
 * It never opens the keystore, so it cannot disturb a running agent.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildStatus, formatStatus, type AgentStatus } from '../../agent/agent-status.js';
import type { AgentConfig } from '../../agent/config/agent-config.js';
import { StateCorruptError } from '../../agent/agent-errors.js';
import type { SecretStoreTier } from '../../agent/secret-store.js';
import { KEYSTORE_TIER_FILE } from '../../platform/keystore/open-secret-store.js';
import { lockHolder } from '../../platform/state/agent-lock.js';
import { readAgentState, readAgentStatus } from '../../platform/state/file-state-store.js';
import type { AgentCliContext } from './agent-context.js';
import { AGENT_VERSION, EXIT_OK } from './exit-codes.js';

async function recordedTier(config: AgentConfig): Promise<{ tier: SecretStoreTier | 'unknown'; description: string }> {
  if (config.keystore.type !== 'auto')
    return { tier: config.keystore.type, description: `${config.keystore.type} (configured)` };
  try {
    const value = JSON.parse(await readFile(join(config.stateDirectory, KEYSTORE_TIER_FILE), 'utf8')) as {
      tier?: SecretStoreTier;
    };
    if (value.tier !== undefined)
      return { tier: value.tier, description: `${value.tier} (auto, recorded at first start)` };
  } catch {
    // No record: auto has not chosen yet.
  }
  return { tier: 'unknown', description: 'auto (not chosen yet)' };
}

export async function agentStatus(config: AgentConfig): Promise<AgentStatus & { note?: string }> {
  const holder = await lockHolder(config.stateDirectory);
  const written = await readAgentStatus(config.stateDirectory);
  if (written !== undefined) {
    if (written.running && holder === undefined) {
      return { ...written, running: false, note: 'the agent that wrote this status is gone without a clean shutdown' };
    }
    return written;
  }
  const state = await readAgentState(config.stateDirectory);
  if (state === undefined) {
    throw new StateCorruptError(`no agent state in ${config.stateDirectory}: the agent has not started there yet`, {
      context: { path: config.stateDirectory },
    });
  }
  return buildStatus(state, {
    version: AGENT_VERSION,
    running: holder !== undefined,
    ...(holder === undefined ? {} : { pid: holder }),
    now: new Date(),
    keystore: await recordedTier(config),
    ...(config.claims === undefined ? {} : { claims: config.claims }),
  });
}

export async function statusCommand(config: AgentConfig, json: boolean, ctx: AgentCliContext): Promise<number> {
  const status = await agentStatus(config);
  if (json) ctx.out(JSON.stringify(status));
  else {
    for (const line of formatStatus(status)) ctx.out(line);
    if (status.note !== undefined) ctx.out(`note        ${status.note}`);
  }
  return EXIT_OK;
}
