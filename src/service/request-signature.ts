/**
 * @module service/request-signature
 * The Mesh-Authorization header of docs/service-protocol.md "Owner authentication":
 *
 *   Mesh account="…", kid="…", created="…", nonce="…", signature="…"
 *
 * with `signature` = pure EdDSA over SHA-512("mmm-request-v1\n" account "\n" kid "\n"
 * created "\n" nonce "\n" b64url(SHA-512(body))). Parsing is strict and bounded (each
 * parameter once, quoted, no escapes, a fixed set of names) because the header arrives from
 * anyone; every refusal is a 401 naming the parameter.
 */
import { utf8 } from '../crypto/bytes.js';
import { sha512 } from '../crypto/hash.js';
import type { KeyAlgorithm } from '../crypto/key-pair.js';
import { base64urlDecode, base64urlEncode } from '../mesh/encoding/base64url.js';
import { unauthorized } from './service-errors.js';

export const MESH_AUTHORIZATION_SCHEME = 'Mesh';
export const REQUEST_SIGNATURE_LABEL = 'mmm-request-v1';
/** 16 bytes of base64url. */
export const NONCE_LENGTH = 16;

const MAX_HEADER_LENGTH = 2048;
const PARAMETERS = ['account', 'kid', 'created', 'nonce', 'signature'] as const;
type Parameter = (typeof PARAMETERS)[number];

export interface MeshAuthorization {
  readonly account: string;
  readonly kid: string;
  readonly created: string;
  readonly nonce: string;
  readonly signature: Uint8Array;
}

/** The bytes the signature covers: SHA-512 of the labelled string. */
export function requestSigningDigest(fields: Omit<MeshAuthorization, 'signature'>, body: Uint8Array): Uint8Array {
  const text = [REQUEST_SIGNATURE_LABEL, fields.account, fields.kid, fields.created, fields.nonce, base64urlEncode(sha512(body))].join('\n');
  return sha512(utf8(text));
}

export function formatMeshAuthorization(header: MeshAuthorization): string {
  return `${MESH_AUTHORIZATION_SCHEME} account="${header.account}", kid="${header.kid}", created="${header.created}", nonce="${header.nonce}", signature="${base64urlEncode(header.signature)}"`;
}

/** Parses the header; 401 naming the problem for anything else. */
export function parseMeshAuthorization(header: string): MeshAuthorization {
  if (header.length > MAX_HEADER_LENGTH) throw unauthorized(`Mesh-Authorization is longer than ${MAX_HEADER_LENGTH} characters`);
  const scheme = `${MESH_AUTHORIZATION_SCHEME} `;
  if (!header.startsWith(scheme)) throw unauthorized('Mesh-Authorization expected the "Mesh" scheme');
  const values = new Map<Parameter, string>();
  const pattern = /\s*([a-z]+)="([^"\\]*)"\s*(?:,|$)/gy;
  pattern.lastIndex = scheme.length;
  while (pattern.lastIndex < header.length) {
    const match = pattern.exec(header);
    if (match === null) throw unauthorized('Mesh-Authorization is not a list of name="value" parameters');
    const name = match[1] as Parameter;
    if (!PARAMETERS.includes(name)) throw unauthorized(`Mesh-Authorization has an unknown parameter ${JSON.stringify(name.slice(0, 20))}`);
    if (values.has(name)) throw unauthorized(`Mesh-Authorization has "${name}" more than once`);
    values.set(name, match[2] as string);
  }
  for (const name of PARAMETERS) {
    if (!values.get(name)) throw unauthorized(`Mesh-Authorization is missing "${name}"`);
  }
  const nonce = values.get('nonce') as string;
  let nonceBytes: Uint8Array;
  let signature: Uint8Array;
  try {
    nonceBytes = base64urlDecode(nonce, 'nonce');
  } catch {
    throw unauthorized('Mesh-Authorization "nonce" expected base64url');
  }
  if (nonceBytes.length !== NONCE_LENGTH) throw unauthorized(`Mesh-Authorization "nonce" expected ${NONCE_LENGTH} bytes, got ${nonceBytes.length}`);
  try {
    signature = base64urlDecode(values.get('signature') as string, 'signature');
  } catch {
    throw unauthorized('Mesh-Authorization "signature" expected base64url');
  }
  return {
    account: values.get('account') as string,
    kid: values.get('kid') as string,
    created: values.get('created') as string,
    nonce,
    signature,
  };
}

export type SignatureVerifier = (alg: KeyAlgorithm, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

export function verifyRequestSignature(
  header: MeshAuthorization,
  body: Uint8Array,
  key: { readonly alg: KeyAlgorithm; readonly publicKey: Uint8Array },
  verify: SignatureVerifier,
): boolean {
  try {
    return verify(key.alg, key.publicKey, requestSigningDigest(header, body), header.signature);
  } catch {
    return false;
  }
}
