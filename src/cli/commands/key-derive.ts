/**
 * @module cli/commands/key-derive
 * `mesh key derive`: the public key a seed gives for a key name (production derivation,
 * docs/mesh-compatibility.md §2.1; `--variant draft` for the udf-13 §4.4 vectors).
 */
import { base64urlEncode } from '../../mesh/encoding/base64url.js';
import { deriveKeyPair, parseSeed } from '../../mesh/keys/derive-key.js';
import { keyFingerprint } from '../../mesh/udf/key-fingerprint.js';
import { forArgument, oneOf, requireString } from '../args.js';
import type { Command } from '../command.js';
import { parseAlgorithm } from '../key-args.js';

export const keyDerive: Command = {
  path: ['key', 'derive'],
  summary: 'Derive a named key from a seed UDF and print its algorithm, public key and fingerprint.',
  usage: '--seed <ZAA...> --name <KeyName> [--alg <override>] [--variant production|draft] [--json]',
  options: {
    seed: { type: 'string' },
    name: { type: 'string' },
    alg: { type: 'string' },
    variant: { type: 'string' },
  },
  async run(args, ctx) {
    const seed = requireString(args, 'seed');
    const name = requireString(args, 'name');
    const variant = oneOf(args, 'variant', ['production', 'draft'] as const, 'production');
    const override = typeof args.values['alg'] === 'string' ? parseAlgorithm(args.values['alg']) : undefined;
    forArgument('--seed', () => parseSeed(seed, 'seed'));
    const pair = forArgument('--name', () =>
      deriveKeyPair(seed, name, { variant, ...(override ? { algorithm: override } : {}) }),
    );
    const publicKey = base64urlEncode(pair.publicKey);
    const udf = keyFingerprint(pair);
    ctx.out(
      args.values['json']
        ? JSON.stringify({ alg: pair.alg, public: publicKey, udf })
        : `${udf} ${pair.alg} ${publicKey}`,
    );
  },
};
