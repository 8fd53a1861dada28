/**
 * @module cli/commands/udf-key
 * `mesh udf key`: the fingerprint of a public key (label content type "PKIXKey" over the
 * reference's DER; docs/mesh-compatibility.md §2.3).
 */
import { keyFingerprint } from '../../mesh/udf/key-fingerprint.js';
import { forArgument, optionalInteger } from '../args.js';
import type { Command } from '../command.js';
import { algorithmOption, publicKeyOption } from '../key-args.js';

export const udfKey: Command = {
  path: ['udf', 'key'],
  summary: 'Print the UDF fingerprint of a public key.',
  usage: '--alg ed448|x448|ed25519|x25519 --public <base64url> [--bits N]',
  options: {
    alg: { type: 'string' },
    public: { type: 'string' },
    bits: { type: 'string' },
  },
  async run(args, ctx) {
    const alg = algorithmOption(args);
    const publicKey = publicKeyOption(args, 'public');
    const bits = optionalInteger(args, 'bits', 140, 8, 440);
    const udf = forArgument('--public', () => keyFingerprint({ alg, publicKey }, bits));
    ctx.out(args.values['json'] ? JSON.stringify({ udf, alg }) : udf);
  },
};
