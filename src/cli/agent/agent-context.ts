/**
 * @module cli/agent/agent-context
 * What the `mesh-agent` sub-commands share: output channels (injectable for in-process
 * tests), the environment, and reading the configuration file, whose every failure is a
 * ConfigError (exit 78). The file must be UTF-8 text: a byte that is not is refused with its
 * offset (platform/fs/strict-utf8), never turned into U+FFFD inside a path or an account.
 */
import { readFile } from 'node:fs/promises';
import type { AgentConfig } from '../../agent/config/agent-config.js';
import type { SecretStore } from '../../agent/secret-store.js';
import type { OpenLedOptions } from '../../platform/led/open-led.js';
import { ConfigError } from '../../agent/config/config-error.js';
import { parseAgentConfig } from '../../agent/config/validate-agent-config.js';
import { InvalidUtf8TextError, decodeUtf8File } from '../../platform/fs/strict-utf8.js';

/** How this process was started: from the bundle, or from a startup snapshot (docs/packaging.md). */
export type AgentStartup = 'bundle' | 'snapshot';

/**
 * Ports a caller puts in place of the ones the configuration names. The shipped entry
 * points pass none; tests pass them in (test/helpers/agent-with-ports.ts), so nothing a
 * device's environment holds can switch a real agent onto a fake.
 */
export interface AgentPortOverrides {
  /** Opened instead of the configured keystore (e.g. a MemorySecretStore, which forgets on exit). */
  readonly secrets?: () => Promise<SecretStore>;
  /** Where the LED adapters find the LED and GPIO classes (a fake sysfs tree). */
  readonly led?: Pick<OpenLedOptions, 'ledsRoot' | 'gpioRoot'>;
}

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
  /** Test-only port overrides; see AgentPortOverrides. */
  readonly ports?: AgentPortOverrides;
}

export async function loadConfig(path: string): Promise<AgentConfig> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(
      [{ path: '$', expected: 'a readable configuration file', actual: `cannot read it (${code})` }],
      path,
    );
  }
  let text: string;
  try {
    text = decodeUtf8File(bytes, path);
  } catch (error) {
    if (!(error instanceof InvalidUtf8TextError)) throw error;
    throw new ConfigError(
      [{ path: '$', expected: 'UTF-8 text', actual: `an invalid UTF-8 byte sequence at byte offset ${error.offset}` }],
      path,
    );
  }
  return parseAgentConfig(text, path);
}
