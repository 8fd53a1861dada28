/**
 * @module cli/key-args
 * Interpreting key-related arguments (algorithm names, base64url public keys) the same
 * way in every command.
 */
import { KEY_ALGORITHMS, type KeyAlgorithm } from '../crypto/key-pair.js';
import { base64urlDecode } from '../mesh/encoding/base64url.js';
import { forArgument } from './args.js';
import { UsageError } from './cli-errors.js';
import type { ParsedCommandArgs } from './command.js';

/** Accepts ed448|x448|ed25519|x25519 in any case. */
export function parseAlgorithm(raw: string | undefined, argument = '--alg'): KeyAlgorithm {
  if (raw === undefined) throw new UsageError(`is required (one of ${KEY_ALGORITHMS.join(', ')})`, argument);
  const match = KEY_ALGORITHMS.find((a) => a.toLowerCase() === raw.toLowerCase());
  if (match === undefined) {
    throw new UsageError(`expected one of ed448, x448, ed25519, x25519, got ${JSON.stringify(raw)}`, argument);
  }
  return match;
}

export function algorithmOption(args: ParsedCommandArgs, name = 'alg'): KeyAlgorithm {
  const raw = args.values[name];
  return parseAlgorithm(typeof raw === 'string' ? raw : undefined, `--${name}`);
}

export function publicKeyOption(args: ParsedCommandArgs, name: string): Uint8Array {
  const raw = args.values[name];
  if (typeof raw !== 'string' || raw === '') throw new UsageError('is required (a base64url public key)', `--${name}`);
  return forArgument(`--${name}`, () => base64urlDecode(raw, name));
}
