/**
 * @module cli/agent/agent-context
 * What the `mesh-agent` sub-commands share: output channels (injectable for in-process
 * tests), the environment, and reading the configuration file, whose every failure is a
 * ConfigError (exit 78).
 */
import { readFile } from 'node:fs/promises';
import type { AgentConfig } from '../../agent/config/agent-config.js';
import { ConfigError } from '../../agent/config/config-error.js';
import { parseAgentConfig } from '../../agent/config/validate-agent-config.js';

/** How this process was started: from the bundle, or from a startup snapshot (docs/packaging.md). */
export type AgentStartup = 'bundle' | 'snapshot';

export interface AgentCliContext {
  /** One line to standard output (logs, status). */
  out(line: string): void;
  /** One line to standard error (start-up failures, usage). */
  err(line: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGTERM/SIGINT by the entry point; tests abort it themselves. */
  readonly stop?: AbortSignal;
  /** Reported in the start line of `run`; default `bundle`. */
  readonly startup?: AgentStartup;
}

export async function loadConfig(path: string): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError([{ path: '$', expected: 'a readable configuration file', actual: `cannot read it (${code})` }], path);
  }
  return parseAgentConfig(text, path);
}
