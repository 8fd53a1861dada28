/**
 * @module cli/agent/approve-claim-command
 * `mesh-agent approve-claim <code> --config <file>`: the physical confirmation of a held
 * claim (claims.additionalClaims = "physical-confirmation"), run by someone with a shell on
 * the device. The code is the one the agent announced for that claim; a code that matches
 * no held claim is refused (exit 1). The confirmation is handed to the running agent
 * through the state directory (platform/state/confirmation-directory); an agent started
 * later picks it up too.
 */
import { UnknownConfirmationError } from '../../agent/agent-errors.js';
import { normalizeCode } from '../../agent/claim-watcher.js';
import type { AgentConfig } from '../../agent/config/agent-config.js';
import { ConfirmationDirectory } from '../../platform/state/confirmation-directory.js';
import { readAgentState } from '../../platform/state/file-state-store.js';
import type { AgentCliContext } from './agent-context.js';
import { EXIT_OK } from './exit-codes.js';

export async function approveClaimCommand(
  config: AgentConfig,
  code: string,
  json: boolean,
  ctx: AgentCliContext,
): Promise<number> {
  const wanted = normalizeCode(code);
  const state = await readAgentState(config.stateDirectory);
  const held = state?.claims.held.find((h) => h.code !== undefined && normalizeCode(h.code) === wanted);
  if (held === undefined) {
    throw new UnknownConfirmationError(
      `no held claim has confirmation code ${JSON.stringify(code)} (see mesh-agent status)`,
    );
  }
  await new ConfirmationDirectory(config.stateDirectory).put(wanted);
  if (json) ctx.out(JSON.stringify({ confirmed: held.code, claimant: held.claimant }));
  else ctx.out(`claim by ${held.claimant} confirmed; the agent now completes the connection with it`);
  return EXIT_OK;
}
