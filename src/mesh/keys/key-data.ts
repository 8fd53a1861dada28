/**
 * @module mesh/keys/key-data
 * Between a key (PublicKey) and the KeyData record profiles carry
 * (`{"Udf", "PublicParameters": {"PublicKeyECDH": {crv, Public}}}`, docs/mesh-compatibility.md §2.3).
 * Reading a KeyData recomputes the fingerprint: a record whose Udf does not match its own
 * key is refused, so a kid can never be made to point at a different key.
 */
import { InvalidKeyError } from '../../crypto/errors.js';
import type { PublicKey } from '../../crypto/key-pair.js';
import type { KeyData } from '../objects/key-data.js';
import { checkPublicKey } from '../udf/spki-der.js';
import { keyFingerprint } from '../udf/key-fingerprint.js';

/** The KeyData record of a public key, with its 140-bit fingerprint as Udf. */
export function keyDataOf(key: PublicKey): KeyData {
  return {
    Udf: keyFingerprint(key),
    PublicParameters: { PublicKeyECDH: { crv: key.alg, Public: Uint8Array.from(key.publicKey) } },
  } as KeyData;
}

/**
 * The public key a KeyData record holds, after checking its length for the curve and that
 * its Udf is the key's own fingerprint. `path` names the field in errors.
 */
export function publicKeyOf(keyData: KeyData, path = 'KeyData'): PublicKey {
  const ecdh = keyData.PublicParameters.PublicKeyECDH;
  if (ecdh === undefined) {
    throw new InvalidKeyError(`"${path}.PublicParameters" expected PublicKeyECDH`, { context: { path } });
  }
  const key: PublicKey = { alg: ecdh.crv, publicKey: ecdh.Public };
  checkPublicKey(key, `${path}.PublicParameters.PublicKeyECDH.Public`);
  const udf = keyFingerprint(key);
  // Udf may be given at a higher precision than 140 bits; compare on the common prefix.
  const given = keyData.Udf.toUpperCase();
  if (!(given.startsWith(udf) || udf.startsWith(given)) || given.length < 20) {
    throw new InvalidKeyError(`"${path}.Udf" does not match the fingerprint of the key it holds`, {
      context: { path: `${path}.Udf` },
    });
  }
  return key;
}
