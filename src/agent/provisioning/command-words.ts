/**
 * @module agent/provisioning/command-words
 * The technician's words → a request's `args`, shared by `mesh serial <port> <command…>`
 * and its interactive prompt, and the usage lines `help` lists. Positional words fill the
 * command's arguments in order; `name=value` sets any argument by name.
 */
import type { JsonObject } from '../../mesh/encoding/json-value.js';
import type { CommandName } from './protocol.js';

export interface CommandUsage {
  readonly words: string;
  readonly summary: string;
  /** Names the positional words fill, in order. */
  readonly positional: readonly string[];
}

export const COMMAND_USAGE: Readonly<Record<CommandName, CommandUsage>> = {
  ping: { words: 'ping', summary: 'is the agent there', positional: [] },
  info: { words: 'info', summary: 'device UDF, ConnectUri, agent and protocol version, keystore tier', positional: [] },
  status: { words: 'status', summary: 'owners with state, witness and check code; held claims', positional: [] },
  connect: {
    words: 'connect <account> [pin] [service=URL]',
    summary: 'add an owner and ask it to accept the device',
    positional: ['account', 'pin'],
  },
  claims: { words: 'claims', summary: 'claims held for confirmation', positional: [] },
  'approve-claim': {
    words: 'approve-claim [claimant] [code]',
    summary: 'without a code the device shows one on its console; repeat with it',
    positional: ['claimant', 'code'],
  },
  unpair: {
    words: 'unpair <account>',
    summary: "drop that owner's connection and activation",
    positional: ['account'],
  },
  'set-service': {
    words: 'set-service <account|maker> <url>',
    summary: "an owner's or the maker's service",
    positional: ['target', 'service'],
  },
  'factory-reset': {
    words: 'factory-reset [code]',
    summary: 'wipe owners; without a code the device shows one on its console',
    positional: ['code'],
  },
  help: { words: 'help', summary: 'the commands', positional: [] },
};

/** A confirmation code as typed: digits, maybe grouped with spaces or dashes. */
const CODE_WORD = /^[0-9][0-9 .-]{4,}[0-9]$/;

/**
 * Turns words into args. approve-claim takes a lone code without its claimant (the device
 * picks the only held claim), so a code-shaped first word is the code.
 * @returns args, or a string saying what is wrong
 */
export function argsFromWords(command: CommandName, words: readonly string[]): JsonObject | string {
  const args: JsonObject = {};
  let positional = [...COMMAND_USAGE[command].positional];
  if (command === 'approve-claim' && words[0] !== undefined && CODE_WORD.test(words[0])) positional = ['code'];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq > 0 && /^[a-z][a-zA-Z]*$/.test(word.slice(0, eq))) {
      args[word.slice(0, eq)] = word.slice(eq + 1);
      continue;
    }
    const name = positional.shift();
    if (name === undefined)
      return `${command}: unexpected word ${JSON.stringify(word)} (usage: ${COMMAND_USAGE[command].words})`;
    args[name] = word;
  }
  return args;
}
