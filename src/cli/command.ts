/**
 * @module cli/command
 * The shape of one `mesh` sub-command and the context it runs in. Commands parse their
 * own options with node:util parseArgs and write through the context, so tests can run
 * them in-process and the entry point stays a thin dispatcher.
 */
import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  /** Writes one line of normal output. */
  out(line: string): void;
  /** Writes raw bytes to standard output (a decrypted payload). */
  write(bytes: Uint8Array): void;
  /** Writes one line to standard error (progress, warnings). */
  err(line: string): void;
  /** Reads a file, or standard input for '-'. */
  readInput(path: string, argument: string): Promise<Uint8Array>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface ParsedCommandArgs {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: readonly string[];
}

export interface Command {
  /** The words that select it, e.g. ['udf', 'digest']. */
  readonly path: readonly string[];
  readonly summary: string;
  /** One-line synopsis of the arguments, shown in help. */
  readonly usage: string;
  readonly options: OptionSpec;
  // biome-ignore lint/suspicious/noConfusingVoidType: a command that returns nothing exits 0, so `async run() {}` is a valid command
  run(args: ParsedCommandArgs, context: CommandContext): Promise<number | void>;
}
