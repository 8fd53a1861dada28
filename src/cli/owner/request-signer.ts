/**
 * @module cli/owner/request-signer
 * The owner's RequestSigner: a Mesh-Authorization header (docs/service-protocol.md "Owner
 * authentication", built by mesh/connect/request-authorization) by the AdministratorSignature
 * key over the exact body bytes, with the current time and a fresh 16-byte nonce per
 * request, so no two requests share a header and a replay is refused by the service.
 */
import type { KeyPair } from '../../crypto/key-pair.js';
import type { RandomSource } from '../../crypto/random.js';
import { REQUEST_NONCE_LENGTH, createRequestAuthorization } from '../../mesh/connect/request-authorization.js';
import { keyFingerprint } from '../../mesh/udf/key-fingerprint.js';
import type { RequestSigner } from '../../platform/http/mesh-client.js';

export interface SignerInput {
  readonly account: string;
  /** The AdministratorSignature key pair. */
  readonly key: KeyPair;
  readonly now: () => Date;
  readonly random: RandomSource;
}

export function meshAuthorizationSigner(input: SignerInput): RequestSigner {
  const kid = keyFingerprint(input.key);
  return (body) =>
    createRequestAuthorization({
      account: input.account,
      adminKey: input.key,
      kid,
      created: input.now(),
      nonce: input.random(REQUEST_NONCE_LENGTH),
      body,
    });
}
