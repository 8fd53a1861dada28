/**
 * @module mesh/connect/connect-uri
 * The Mesh Connect URI mcu://<user>@<domain>/<KEY> (docs/mesh-compatibility.md §1.5; the reference's
 * MeshUri). KEY is a PIN ('A', type 0x00) for dynamic QR / PIN connection or an EARL
 * key ('E', type 0x20) for static QR. The parser is stricter than the reference's
 * System.Uri-based one, because a device acts on the result without a human check.
 */
import { InvalidArgumentError, InvalidEncodingError } from '../../crypto/errors.js';
import { canonicalUdfString } from '../udf/canonical.js';
import { UdfType, parseUdf } from '../udf/udf.js';

/** The scheme (MeshConstants.MeshConnectURI). */
export const MESH_CONNECT_SCHEME = 'mcu';

/** Shortest key the parser accepts: 8 bytes, below the 80-bit PINs of the 2021 examples. */
export const MIN_CONNECT_URI_KEY_BYTES = 8;

/** 'ConnectKey' = EARL encryption key (0x20, static QR); 'Pin' = authentication key (0x00). */
export type ConnectUriKeyKind = 'ConnectKey' | 'Pin';

export interface ParsedConnectUri {
  /** user@domain, as written (account = uri.UserInfo + "@" + uri.Authority in the reference). */
  readonly account: string;
  /** The key UDF in canonical form (upper case, dashed). */
  readonly key: string;
  readonly kind: ConnectUriKeyKind;
  /** The key UDF's BDS. */
  readonly keyBytes: Uint8Array;
}

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Why `account` is not a user@domain account address, or undefined if it is. */
function accountProblem(account: string): string | undefined {
  const at = account.indexOf('@');
  if (at < 0 || at !== account.lastIndexOf('@')) return 'expected exactly one "@"';
  const user = account.slice(0, at);
  const domain = account.slice(at + 1);
  if (user.length === 0 || user.length > 64 || !LOCAL_PART.test(user))
    return `has an invalid user part ${JSON.stringify(user)}`;
  if (domain.length === 0 || domain.length > 253 || !domain.split('.').every((l) => DNS_LABEL.test(l))) {
    return `has an invalid domain ${JSON.stringify(domain)}`;
  }
  return undefined;
}

/**
 * Checks a Mesh account address (user@domain, docs/mesh-compatibility.md §1.5) and returns it
 * unchanged; InvalidArgumentError naming `what` otherwise.
 */
export function checkAccountAddress(account: string, what = 'account'): string {
  if (typeof account !== 'string') {
    throw new InvalidArgumentError(`"${what}" expected an account address string, got ${typeof account}`, {
      context: { what },
    });
  }
  const problem = accountProblem(account);
  if (problem !== undefined) {
    throw new InvalidArgumentError(`"${what}" expected user@domain, ${problem}`, { context: { what } });
  }
  return account;
}

/** Kind and BDS of a connect key, or a message saying what is wrong. */
function classifyKey(key: string, what: string, fail: (message: string) => never): Omit<ParsedConnectUri, 'account'> {
  let canonical: string;
  let parsed: ReturnType<typeof parseUdf>;
  try {
    canonical = canonicalUdfString(key, what);
    parsed = parseUdf(canonical, what);
  } catch (cause) {
    return fail(cause instanceof Error ? cause.message : `"${what}" is not a UDF`);
  }
  let kind: ConnectUriKeyKind;
  if (parsed.type === UdfType.EncryptionKey) kind = 'ConnectKey';
  else if (parsed.type === UdfType.HmacSha2) kind = 'Pin';
  else {
    return fail(
      `"${what}" expected an encryption key (type 0x20, 'E…') or a PIN (type 0x00, 'A…'), got type 0x${parsed.type.toString(16)}`,
    );
  }
  if (parsed.bds.length < MIN_CONNECT_URI_KEY_BYTES) {
    return fail(`"${what}" expected at least ${MIN_CONNECT_URI_KEY_BYTES} key bytes, got ${parsed.bds.length}`);
  }
  return { key: canonical, kind, keyBytes: parsed.bds };
}

/** "mcu://" + account + "/" + key (MeshUri.ConnectUri), after checking both parts. */
export function connectUri(account: string, key: string): string {
  checkAccountAddress(account);
  const { key: canonical } = classifyKey(key, 'key', (message) => {
    throw new InvalidArgumentError(message, { context: { what: 'key' } });
  });
  return `${MESH_CONNECT_SCHEME}://${account}/${canonical}`;
}

/**
 * Parses mcu://user@domain/KEY. Rejected, with InvalidEncodingError naming "uri" and the
 * part at fault: another scheme, missing "//", no or several "@", an invalid user or
 * domain, a port, query or fragment, more than one path segment, a key that is not a
 * UDF, of another type than 0x20/0x00, or shorter than 8 bytes.
 */
export function parseConnectUri(uri: string): ParsedConnectUri {
  const fail = (part: string, message: string): never => {
    throw new InvalidEncodingError(message, { context: { what: 'uri', part } });
  };
  if (typeof uri !== 'string' || uri.length === 0) {
    return fail(
      'uri',
      `"uri" expected an mcu:// URI string, got ${typeof uri === 'string' ? 'an empty string' : typeof uri}`,
    );
  }
  if (/[\s\u0000-\u001f\u007f]/.test(uri))
    return fail('uri', '"uri" must not contain white space or control characters');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri);
  if (scheme === null) return fail('scheme', '"uri" has no scheme; expected mcu://user@domain/KEY');
  if ((scheme[1] as string).toLowerCase() !== MESH_CONNECT_SCHEME) {
    return fail('scheme', `"uri" scheme expected "${MESH_CONNECT_SCHEME}", got ${JSON.stringify(scheme[1])}`);
  }
  const rest = uri.slice((scheme[0] as string).length);
  if (!rest.startsWith('//')) return fail('authority', '"uri" expected "//" after "mcu:"');
  if (/[?#]/.test(rest)) return fail('key', '"uri" must not have a query or fragment');
  const slash = rest.indexOf('/', 2);
  if (slash < 0) return fail('key', '"uri" has no key path; expected mcu://user@domain/KEY');
  const authority = rest.slice(2, slash);
  const path = rest.slice(slash + 1);
  if (/:\d*$/.test(authority)) return fail('account', '"uri" account must not carry a port');
  const problem = accountProblem(authority);
  if (problem !== undefined) return fail('account', `"uri" account expected user@domain, ${problem}`);
  if (path.length === 0) return fail('key', '"uri" key is empty');
  if (path.includes('/')) return fail('key', '"uri" key expected a single path segment');
  const key = classifyKey(path, 'uri key', (message) => fail('key', message));
  return { account: authority, ...key };
}
