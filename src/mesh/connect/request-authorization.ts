/**
 * @module mesh/connect/request-authorization
 * The owner's signed service requests (docs/service-protocol.md "Owner authentication"):
 *
 *   Mesh-Authorization: Mesh account="…", kid="<admin key UDF>", created="YYYY-MM-DDThh:mm:ssZ",
 *       nonce="<22 b64url chars>", signature="<b64url>"
 *
 * signature = pure EdDSA by `kid` over SHA-512(UTF-8("mmm-request-v1\n" + account + "\n" +
 * kid + "\n" + created + "\n" + nonce + "\n" + b64url(SHA-512(body)))). The drafts leave
 * request authentication open (docs/mesh-compatibility.md §7, §13); this binds the account, the key,
 * the time, a nonce and the exact body bytes. Pure: the service checks the ±300 s window,
 * nonce replay and that `kid` is the account's AdministratorSignature itself.
 *
 * Parsing is strict (every parameter exactly once, quoted, no others, canonical values),
 * because a lenient parser lets two services disagree on what was signed.
 */
import { assertBytes, utf8 } from '../../crypto/bytes.js';
import { InvalidArgumentError, InvalidEncodingError } from '../../crypto/errors.js';
import { sha512 } from '../../crypto/hash.js';
import type { KeyPair, PublicKey } from '../../crypto/key-pair.js';
import { verifySignature } from '../../crypto/keys.js';
import { base64urlDecode, base64urlEncode } from '../encoding/base64url.js';
import { formatRfc3339, parseRfc3339 } from '../schema/date-time.js';
import { canonicalUdfString } from '../udf/canonical.js';
import { keyFingerprint } from '../udf/key-fingerprint.js';
import { checkAccountAddress } from './connect-uri.js';

/** The HTTP header carrying the value. */
export const REQUEST_AUTHORIZATION_HEADER = 'Mesh-Authorization';
/** The authorization scheme. */
export const REQUEST_AUTHORIZATION_SCHEME = 'Mesh';
/** Domain label opening the string to sign. */
export const REQUEST_SIGNATURE_LABEL = 'mmm-request-v1';
/** The nonce is 16 bytes = 22 base64url characters. */
export const REQUEST_NONCE_LENGTH = 16;

const PARAMETERS = ['account', 'kid', 'created', 'nonce', 'signature'] as const;
type Parameter = (typeof PARAMETERS)[number];

const CREATED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

export interface RequestToSign {
  readonly account: string;
  readonly kid: string;
  /** `created` exactly as it appears in the header. */
  readonly created: string;
  /** `nonce` exactly as it appears in the header (base64url). */
  readonly nonce: string;
  readonly body: Uint8Array;
}

/** The UTF-8 string the signature covers (its SHA-512 is what is signed). */
export function requestStringToSign(request: RequestToSign): string {
  assertBytes(request.body, 'body');
  return [
    REQUEST_SIGNATURE_LABEL,
    request.account,
    request.kid,
    request.created,
    request.nonce,
    base64urlEncode(sha512(request.body)),
  ].join('\n');
}

function signedDigest(request: RequestToSign): Uint8Array {
  return sha512(utf8(requestStringToSign(request)));
}

export interface CreateRequestAuthorizationInput {
  readonly account: string;
  /** The account's AdministratorSignature key. */
  readonly adminKey: KeyPair;
  /** Its UDF; its fingerprint when omitted. */
  readonly kid?: string;
  readonly created: Date;
  /** 16 fresh random bytes. */
  readonly nonce: Uint8Array;
  /** The exact request body bytes that will be sent. */
  readonly body: Uint8Array;
}

/** The `Mesh-Authorization` header value for one request. */
export function createRequestAuthorization(input: CreateRequestAuthorizationInput): string {
  const account = checkAccountAddress(input.account, 'account');
  const kid = input.kid ?? keyFingerprint(input.adminKey);
  canonicalUdfString(kid, 'kid');
  assertBytes(input.nonce, 'nonce', REQUEST_NONCE_LENGTH);
  const created = input.created instanceof Date ? formatRfc3339(input.created) : undefined;
  if (created === undefined) {
    throw new InvalidArgumentError('"created" expected a valid Date between years 0 and 9999', {
      context: { what: 'created' },
    });
  }
  const nonce = base64urlEncode(input.nonce);
  const request = { account, kid, created, nonce, body: input.body };
  const signature = base64urlEncode(input.adminKey.sign(signedDigest(request)));
  return `${REQUEST_AUTHORIZATION_SCHEME} account="${account}", kid="${kid}", created="${created}", nonce="${nonce}", signature="${signature}"`;
}

export interface ParsedRequestAuthorization {
  readonly account: string;
  readonly kid: string;
  readonly created: Date;
  /** As written, for the string to sign. */
  readonly createdText: string;
  readonly nonce: Uint8Array;
  /** As written (base64url), for the string to sign and the replay store. */
  readonly nonceText: string;
  readonly signature: Uint8Array;
}

function bad(parameter: string, message: string, cause?: unknown): InvalidEncodingError {
  return new InvalidEncodingError(
    `"${REQUEST_AUTHORIZATION_HEADER}" ${parameter === 'header' ? '' : `parameter "${parameter}" `}${message}`,
    {
      context: { what: REQUEST_AUTHORIZATION_HEADER, parameter },
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

/**
 * Parses a header value.
 * @throws InvalidEncodingError whose message and `context.parameter` name the parameter at
 *   fault: another scheme, a parameter missing, repeated, unknown or unquoted, an account
 *   that is not user@domain, a kid that is not a UDF, a created time not in
 *   `YYYY-MM-DDThh:mm:ssZ`, a nonce that is not 16 bytes of base64url, an empty signature.
 */
export function parseRequestAuthorization(header: string): ParsedRequestAuthorization {
  if (typeof header !== 'string') throw bad('header', `expected a string, got ${typeof header}`);
  const prefix = `${REQUEST_AUTHORIZATION_SCHEME} `;
  if (!header.startsWith(prefix))
    throw bad('header', `expected the scheme "${REQUEST_AUTHORIZATION_SCHEME}" followed by a space`);
  const values = new Map<Parameter, string>();
  const item = /^[ \t]*([A-Za-z]+)="([^"\\\u0000-\u001f\u007f]*)"[ \t]*(,|$)/;
  let rest = header.slice(prefix.length);
  while (rest.length > 0) {
    const m = item.exec(rest);
    if (m === null) {
      const name = /^[ \t]*([A-Za-z]+)/.exec(rest)?.[1] ?? 'header';
      throw bad(name, 'expected name="value" (quoted, no escapes), separated by commas');
    }
    const name = m[1] as string;
    if (!(PARAMETERS as readonly string[]).includes(name)) throw bad(name, `is not one of ${PARAMETERS.join(', ')}`);
    if (values.has(name as Parameter)) throw bad(name, 'appears more than once');
    values.set(name as Parameter, m[2] as string);
    rest = rest.slice(m[0].length);
    if (m[3] === ',' && rest.trim() === '') throw bad(name, 'is followed by a trailing comma');
  }
  for (const name of PARAMETERS) if (!values.has(name)) throw bad(name, 'is missing');
  const get = (name: Parameter): string => values.get(name) as string;

  let account: string;
  try {
    account = checkAccountAddress(get('account'), 'account');
  } catch (cause) {
    throw bad('account', 'expected user@domain', cause);
  }
  const kid = get('kid');
  try {
    if (canonicalUdfString(kid, 'kid') !== kid)
      throw bad('kid', 'expected a UDF in canonical form (upper case, dashed)');
  } catch (cause) {
    if (cause instanceof InvalidEncodingError && cause.context['parameter'] === 'kid') throw cause;
    throw bad('kid', 'expected a UDF', cause);
  }
  const createdText = get('created');
  const created = CREATED.test(createdText) ? parseRfc3339(createdText) : undefined;
  if (created === undefined) throw bad('created', 'expected an RFC 3339 UTC time "YYYY-MM-DDThh:mm:ssZ"');
  const nonceText = get('nonce');
  if (nonceText.length !== 22 || !B64URL.test(nonceText))
    throw bad('nonce', 'expected 22 base64url characters (16 bytes)');
  const nonce = base64urlDecode(nonceText, 'nonce');
  // 22 characters carry 132 bits; the last 4 must be zero for the text to be canonical.
  if (base64urlEncode(nonce) !== nonceText) throw bad('nonce', 'is not the canonical base64url of 16 bytes');
  const signatureText = get('signature');
  if (signatureText.length === 0 || !B64URL.test(signatureText)) throw bad('signature', 'expected non-empty base64url');
  const signature = base64urlDecode(signatureText, 'signature');
  return { account, kid, created, createdText, nonce, nonceText, signature };
}

export interface VerifyRequestAuthorizationInput {
  /** The key the service resolved for the account (its AdministratorSignature). */
  readonly publicKey: PublicKey;
  /** The request body bytes as received. */
  readonly body: Uint8Array;
}

/**
 * Whether the parsed header is a valid signature over `body` by `publicKey`, and `kid`
 * names that key. Time window and replay are the caller's (they need a clock and a store).
 */
export function verifyRequestAuthorization(
  parsed: ParsedRequestAuthorization,
  input: VerifyRequestAuthorizationInput,
): boolean {
  if (parsed.kid !== keyFingerprint(input.publicKey)) return false;
  if (input.publicKey.alg !== 'Ed448' && input.publicKey.alg !== 'Ed25519') return false;
  const digest = signedDigest({
    account: parsed.account,
    kid: parsed.kid,
    created: parsed.createdText,
    nonce: parsed.nonceText,
    body: input.body,
  });
  return verifySignature(input.publicKey.alg, input.publicKey.publicKey, digest, parsed.signature);
}
