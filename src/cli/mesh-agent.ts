/**
 * @module cli/mesh-agent
 * The `mesh-agent` command, run on the device (systemd/mesh-agent.service):
 *
 *   mesh-agent run [--config FILE]                 the agent, until SIGTERM
 *   mesh-agent status [--json] [--config FILE]     device, keystore tier, owners
 *   mesh-agent approve-claim CODE [--config FILE]  confirm a held claim on the device
 *   mesh-agent --version | --help
 *
 * Exit statuses (cli/agent/exit-codes): 0 success, 1 a start-up or command failure (one
 * line on standard error naming the problem), 2 usage, 78 a bad configuration.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../agent/config/config-error.js';
import { DEFAULT_CONFIG_PATH } from '../agent/config/agent-config.js';
import { MeshError } from '../crypto/errors.js';
import { approveClaimCommand } from './agent/approve-claim-command.js';
import { loadConfig, type AgentCliContext, type AgentStartup } from './agent/agent-context.js';
import { AGENT_VERSION, EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './agent/exit-codes.js';
import { runAgent } from './agent/run-command.js';
import { defaultSnapshotScript, snapshotCommand } from './agent/snapshot-command.js';
import { statusCommand } from './agent/status-command.js';

export const HELP = `usage: mesh-agent <command> [options]

The Mathematical Mesh device agent: first boot from a factory preconfiguration or its own
seed, the keystore, and the connection to each owner account.

commands:
  mesh-agent run [--config FILE]
      Run the agent until SIGTERM (systemd/mesh-agent.service). Logs go to standard output.
  mesh-agent status [--json] [--config FILE]
      Device UDF, keystore tier, mode, ConnectUri, and each owner's state, witness and last
      error. Works whether or not the agent runs.
  mesh-agent approve-claim CODE [--config FILE] [--json]
      Confirm, on the device, a held claim of the QR label (claims.additionalClaims
      "physical-confirmation"); CODE is the one the agent announced.
  mesh-agent snapshot --output FILE [--from SCRIPT]
      Build the V8 startup snapshot (and FILE.stamp) from mesh-agent-snapshot.cjs beside
      this bundle; systemd/mesh-agent-launch starts from it (docs/packaging.md).
  mesh-agent --version
  mesh-agent --help

--config defaults to ${DEFAULT_CONFIG_PATH}; the format is firmware-config/README.md.
exit status: 0 success, 1 failure (one line naming the problem), 2 usage, 78 bad configuration.`;

function defaultContext(): AgentCliContext {
  return {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    env: process.env,
  };
}

/** Runs one `mesh-agent` invocation; returns the exit status. */
export async function main(argv: readonly string[], context?: Partial<AgentCliContext>): Promise<number> {
  const ctx: AgentCliContext = { ...defaultContext(), ...context };
  const [command, ...rest] = argv;
  if (command === undefined) {
    ctx.err(HELP);
    return EXIT_USAGE;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    ctx.out(HELP);
    return EXIT_OK;
  }
  if (command === '--version' || command === '-V') {
    ctx.out(AGENT_VERSION);
    return EXIT_OK;
  }
  if (command === 'snapshot') return snapshot(rest, ctx);
  if (command !== 'run' && command !== 'status' && command !== 'approve-claim') {
    ctx.err(`mesh-agent: unknown command ${JSON.stringify(command)} (try mesh-agent --help)`);
    return EXIT_USAGE;
  }
  let values: { config?: string; json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...rest],
      options: { config: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command === 'approve-claim',
      strict: true,
    }));
  } catch (error) {
    ctx.err(`mesh-agent ${command}: ${(error as Error).message}`);
    return EXIT_USAGE;
  }
  if (values.help === true) {
    ctx.out(HELP);
    return EXIT_OK;
  }
  if (command === 'approve-claim' && positionals.length !== 1) {
    ctx.err('mesh-agent approve-claim: expected one CODE argument');
    return EXIT_USAGE;
  }
  const configPath = values.config ?? DEFAULT_CONFIG_PATH;
  try {
    const config = await loadConfig(configPath);
    switch (command) {
      case 'run':
        return await runAgent(config, ctx);
      case 'status':
        return await statusCommand(config, values.json === true, ctx);
      case 'approve-claim':
        return await approveClaimCommand(config, positionals[0] as string, values.json === true, ctx);
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      ctx.err(`mesh-agent: ${error.message}`);
      return EXIT_CONFIG;
    }
    if (error instanceof MeshError) {
      ctx.err(`mesh-agent: ${error.name}: ${error.message.replace(/\s*\n\s*/g, ' ')}`);
      return EXIT_FAILURE;
    }
    const code = (error as NodeJS.ErrnoException)?.code;
    ctx.err(
      `mesh-agent: ${code === undefined ? '' : `${code}: `}${(error as Error)?.message ?? String(error)}`.replace(
        /\s*\n\s*/g,
        ' ',
      ),
    );
    return EXIT_FAILURE;
  }
}

/** True when this module is the process's entry point (the bundle), not imported by a test. */
async function snapshot(rest: readonly string[], ctx: AgentCliContext): Promise<number> {
  let values: { output?: string; from?: string };
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: { output: { type: 'string' }, from: { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    ctx.err(`mesh-agent snapshot: ${(error as Error).message}`);
    return EXIT_USAGE;
  }
  if (values.output === undefined) {
    ctx.err('mesh-agent snapshot: --output FILE is required');
    return EXIT_USAGE;
  }
  try {
    return await snapshotCommand(values.output, values.from ?? defaultSnapshotScript(process.argv[1]), ctx);
  } catch (error) {
    if (!(error instanceof MeshError)) throw error;
    ctx.err(`mesh-agent snapshot: ${error.message}`);
    return EXIT_FAILURE;
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && /mesh-agent(\.m?[jt]s)?$/.test(entry);
}

/**
 * Runs `mesh-agent` for this process: SIGTERM/SIGINT stop it, the exit status is set when
 * it returns. Called by the bundle as an entry point and by the startup snapshot's main.
 */
export function runProcess(argv: readonly string[], startup: AgentStartup = 'bundle'): void {
  const controller = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => controller.abort());
  main(argv, { stop: controller.signal, startup }).then(
    (status) => {
      process.exitCode = status;
      // Idle keep-alive sockets or a keystore's D-Bus connection must not hold the exit up.
      setTimeout(() => process.exit(), 2_000).unref();
    },
    (error: unknown) => {
      process.stderr.write(`mesh-agent: ${(error as Error)?.message ?? String(error)}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}

if (isEntryPoint()) runProcess(process.argv.slice(2));
