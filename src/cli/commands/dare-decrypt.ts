/**
 * @module cli/commands/dare-decrypt
 * `mesh dare decrypt`: writes the plaintext payload of an encrypted DARE envelope to
 * standard output (docs/mesh-compatibility.md §4.3). The key is an EARL encryption key (E-UDF, or the
 * mcu:// ConnectUri that carries it), a seed with a key name, or a raw private key.
 */
import { UnsupportedAlgorithmError } from '../../crypto/errors.js';
import { keyPairFromSecret } from '../../crypto/keys.js';
import { parseConnectUri } from '../../mesh/connect/connect-uri.js';
import { decodeEnvelope } from '../../mesh/dare/envelope.js';
import { decryptEnvelope } from '../../mesh/dare/decrypt-envelope.js';
import type { DecryptionKey } from '../../mesh/dare/recipient.js';
import { base64urlDecode } from '../../mesh/encoding/base64url.js';
import { deriveKeyPair, parseSeed } from '../../mesh/keys/derive-key.js';
import { KeySpecifier } from '../../mesh/keys/key-specifier.js';
import { symmetricKeyData } from '../../mesh/udf/symmetric-key.js';
import { UdfType, parseUdf } from '../../mesh/udf/udf.js';
import { forArgument, onePositional, optionalString, requireString } from '../args.js';
import { UsageError } from '../cli-errors.js';
import type { Command } from '../command.js';
import { parseAlgorithm } from '../key-args.js';

/** Which key the --key string names. */
function decryptionKey(key: string, name: string | undefined, alg: string | undefined): DecryptionKey {
  if (key.startsWith('mcu://')) {
    return { kind: 'symmetric', key: forArgument('--key', () => parseConnectUri(key).keyBytes) };
  }
  if (alg !== undefined) {
    const algorithm = parseAlgorithm(alg);
    if (algorithm !== 'X448' && algorithm !== 'X25519')
      throw new UsageError('a decryption key is x448 or x25519', '--alg');
    const secret = forArgument('--key', () => base64urlDecode(key, 'key'));
    return { kind: 'ecdh', keyPair: forArgument('--key', () => keyPairFromSecret(algorithm, secret)) };
  }
  const parsed = forArgument('--key', () => parseUdf(key, 'key'));
  if (parsed.type === UdfType.EncryptionKey) {
    return { kind: 'symmetric', key: forArgument('--key', () => symmetricKeyData(key, 'key')) };
  }
  if (parsed.type === UdfType.DerivedKeySeed) {
    const { specifier } = forArgument('--key', () => parseSeed(key, 'key'));
    // A device seed's one encryption key is the obvious default; anything else must say.
    const keyName = name ?? (specifier === KeySpecifier.MeshProfileDevice ? 'BaseDeviceEncrypt' : undefined);
    if (keyName === undefined)
      throw new UsageError('is required with a seed that is not a device profile seed', '--name');
    return { kind: 'ecdh', keyPair: forArgument('--name', () => deriveKeyPair(key, keyName)) };
  }
  throw new UsageError(
    'expected an encryption key UDF (E…), an mcu:// URI, a seed UDF (Z…) or a base64url private key with --alg',
    '--key',
  );
}

export const dareDecrypt: Command = {
  path: ['dare', 'decrypt'],
  summary: 'Decrypt a DARE envelope and write its plaintext payload to standard output.',
  usage: '<envelope.json> --key <E-UDF | mcu://… | Z-seed [--name KeyName] | base64url --alg x448|x25519>',
  options: {
    key: { type: 'string' },
    name: { type: 'string' },
    alg: { type: 'string' },
  },
  async run(args, ctx) {
    const file = onePositional(args, 'envelope.json');
    const key = decryptionKey(requireString(args, 'key'), optionalString(args, 'name'), optionalString(args, 'alg'));
    const bytes = await ctx.readInput(file, '<envelope.json>');
    const envelope = forArgument('<envelope.json>', () => decodeEnvelope(bytes));
    if (envelope.header.enc === undefined) {
      throw new UsageError('is not encrypted (no "enc" in its header)', '<envelope.json>');
    }
    if (envelope.header.enc !== 'A256CBC') {
      throw new UnsupportedAlgorithmError(
        `<envelope.json>: encryption ${JSON.stringify(envelope.header.enc)} is not supported`,
      );
    }
    // Envelopes this project writes carry a PayloadMac, checked before anything is
    // decrypted. Reference-made envelopes carry none (the reference derives the MAC key
    // and never uses it), so for those the person is told the payload is unauthenticated.
    const authenticated = envelope.trailer?.payloadMac !== undefined;
    const result = decryptEnvelope(envelope, key, { allowUnauthenticated: !authenticated });
    if (result.authenticatedBy === 'none') {
      ctx.err('mesh dare decrypt: warning: the envelope has no MAC (reference format); its integrity was not checked');
    }
    ctx.write(result.plaintext);
  },
};
