/**
 * @module cli/commands/key-combine
 * `mesh key combine`: the co-generated public key of a device for one operation — the
 * base public key plus the contribution derived from the activation seed (docs/mesh-compatibility.md §3).
 */
import { combinePublicKeys } from '../../crypto/co-generation.js';
import { base64urlEncode } from '../../mesh/encoding/base64url.js';
import { deriveKeyPair, parseSeed } from '../../mesh/keys/derive-key.js';
import { keyFingerprint } from '../../mesh/udf/key-fingerprint.js';
import { forArgument, requireString } from '../args.js';
import type { Command } from '../command.js';
import { algorithmOption, publicKeyOption } from '../key-args.js';

export const keyCombine: Command = {
  path: ['key', 'combine'],
  summary: 'Combine a base public key with the contribution an activation seed gives for a key name.',
  usage: '--alg <alg> --base-public <base64url> --activation-seed <ZAA...> --name <KeyName> [--json]',
  options: {
    alg: { type: 'string' },
    'base-public': { type: 'string' },
    'activation-seed': { type: 'string' },
    name: { type: 'string' },
  },
  async run(args, ctx) {
    const alg = algorithmOption(args);
    const basePublic = publicKeyOption(args, 'base-public');
    const seed = requireString(args, 'activation-seed');
    const name = requireString(args, 'name');
    forArgument('--activation-seed', () => parseSeed(seed, 'activation-seed'));
    const contribution = forArgument('--name', () => deriveKeyPair(seed, name, { algorithm: alg }));
    const combined = forArgument('--base-public', () => combinePublicKeys(alg, basePublic, contribution.publicKey));
    const publicKey = base64urlEncode(combined);
    const udf = keyFingerprint({ alg, publicKey: combined });
    ctx.out(args.values['json'] ? JSON.stringify({ public: publicKey, udf }) : `${udf} ${publicKey}`);
  },
};
