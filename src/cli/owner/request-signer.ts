/**
 * @module cli/owner/request-signer
 * The owner's RequestSigner: a Mesh-Authorization header (docs/service-protocol.md "Owner
 * authentication") by the AdministratorSignature key over the exact body bytes, with the
 * current time and a fresh 16-byte nonce per request, so no two requests share a header and
 * a replay is refused by the service.
 */
import type { KeyPair } from '../../crypto/key-pair.js';
import type { RandomSource } from '../../crypto/random.js';
import { base64urlEncode } from '../../mesh/encoding/base64url.js';
import { keyFingerprint } from '../../mesh/udf/key-fingerprint.js';
import type { RequestSigner } from '../../platform/http/mesh-client.js';
import { NONCE_LENGTH, formatMeshAuthorization, requestSigningDigest } from '../../service/request-signature.js';

export interface SignerInput {
  readonly account: string;
  /** The AdministratorSignature key pair. */
  readonly key: KeyPair;
  readonly now: () => Date;
  readonly random: RandomSource;
}

/** RFC 3339 to the second, as the header's `created` is written. */
function created(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function meshAuthorizationSigner(input: SignerInput): RequestSigner {
  const kid = keyFingerprint(input.key);
  return (body) => {
    const fields = { account: input.account, kid, created: created(input.now()), nonce: base64urlEncode(input.random(NONCE_LENGTH)) };
    return formatMeshAuthorization({ ...fields, signature: input.key.sign(requestSigningDigest(fields, body)) });
  };
}
