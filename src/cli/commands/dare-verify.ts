/**
 * @module cli/commands/dare-verify
 * `mesh dare verify`: checks a DARE envelope's PayloadDigest and signature (pure EdDSA over
 * SHA-512 of the payload; docs/mesh-compatibility.md §4.2). Exit 0 valid, 1 invalid.
 */
import { MeshError, VerificationError } from '../../crypto/errors.js';
import type { PublicKey } from '../../crypto/key-pair.js';
import { decodeEnvelope, type DareEnvelope } from '../../mesh/dare/envelope.js';
import { verifyEnvelope } from '../../mesh/dare/signature.js';
import { publicKeyOf } from '../../mesh/keys/key-data.js';
import { decodeTagged } from '../../mesh/objects/registry.js';
import { keyFingerprint } from '../../mesh/udf/key-fingerprint.js';
import { forArgument, onePositional } from '../args.js';
import { CheckFailedError, UsageError } from '../cli-errors.js';
import type { Command } from '../command.js';
import { algorithmOption, publicKeyOption } from '../key-args.js';

const SELF_SIGNED = ['ProfileDevice', 'ProfileAccount', 'ProfileUser'] as const;

/**
 * A profile is signed by the ProfileSignature key it carries (docs/mesh-compatibility.md §5), so with
 * no key given, that key is the one to check — and the result says which profile it is.
 */
function selfSigningKey(envelope: DareEnvelope): PublicKey {
  let decoded;
  try {
    decoded = decodeTagged(envelope.payload, SELF_SIGNED);
  } catch (cause) {
    throw new UsageError('is not a self-signed profile, so --public and --alg are required', '<envelope.json>', {
      cause,
    });
  }
  return publicKeyOf(decoded.value.ProfileSignature, `${decoded.type}.ProfileSignature`);
}

export const dareVerify: Command = {
  path: ['dare', 'verify'],
  summary:
    'Verify a DARE envelope (JSON, tagged or JSON-B) under a public key, or a self-signed profile under its own ProfileSignature key. Exit 0 valid, 1 invalid.',
  usage: '<envelope.json> [--public <base64url> --alg <alg>] [--json]',
  options: {
    public: { type: 'string' },
    alg: { type: 'string' },
  },
  async run(args, ctx) {
    const file = onePositional(args, 'envelope.json');
    const given = args.values['public'] !== undefined || args.values['alg'] !== undefined;
    const publicKey = given ? { alg: algorithmOption(args), publicKey: publicKeyOption(args, 'public') } : undefined;
    const bytes = await ctx.readInput(file, '<envelope.json>');
    const envelope = forArgument('<envelope.json>', () => decodeEnvelope(bytes));
    const key = publicKey ?? forArgument('<envelope.json>', () => selfSigningKey(envelope));
    const kid = forArgument('--public', () => keyFingerprint(key));
    try {
      const verified = verifyEnvelope(envelope, [{ publicKey: key, kid }]);
      ctx.out(
        args.values['json']
          ? JSON.stringify({ valid: true, kid, signature: verified.index })
          : `valid: signed by ${kid}`,
      );
      return 0;
    } catch (error) {
      if (
        !(error instanceof VerificationError) &&
        !(error instanceof MeshError && error.code === 'ERR_INVALID_ARGUMENT')
      )
        throw error;
      if (args.values['json']) {
        ctx.out(JSON.stringify({ valid: false, kid, reason: error.message }));
        return 1;
      }
      throw new CheckFailedError(`invalid: ${error.message}`, { cause: error });
    }
  },
};
