/**
 * @module agent/config/config-values
 * Checks for the kinds of value the configuration holds that are more than a JSON type:
 * account addresses, service URLs, file and device paths, PINs. Each records a problem on the
 * reader and returns undefined when the value is unusable. PINs authenticate the device to its
 * owner (docs/mesh-compatibility.md §6.1), so a PIN is never echoed, not even in part.
 */
import { MeshError } from '../../crypto/errors.js';
import { MIN_CONNECT_URI_KEY_BYTES, checkAccountAddress, parseConnectUri } from '../../mesh/connect/connect-uri.js';
import { canonicalUdfString } from '../../mesh/udf/canonical.js';
import { UdfType, parseUdf } from '../../mesh/udf/udf.js';
import { describeValue, type ConfigReader } from './config-reader.js';

const ACCOUNT_EXPECTED = 'an account address user@domain';

/** user@domain (docs/mesh-compatibility.md §1.5), as given. */
export function accountAddress(reader: ConfigReader, path: string, value: unknown): string | undefined {
  const text = reader.string(path, value, ACCOUNT_EXPECTED);
  if (text === undefined) return undefined;
  try {
    return checkAccountAddress(text, path);
  } catch (cause) {
    if (!(cause instanceof MeshError)) throw cause;
    // The reason after `expected user@domain, ` says which part is wrong.
    const reason = cause.message.replace(/^.*expected user@domain, /, '');
    return reader.fail(path, ACCOUNT_EXPECTED, `${describeValue(text)}, which ${reason}`);
  }
}

/** The domain of a checked account: where its Mesh service lives by default. */
export function accountDomain(account: string): string {
  return account.slice(account.lastIndexOf('@') + 1).toLowerCase();
}

const URL_EXPECTED = 'an http:// or https:// URL without credentials, query or fragment';

/**
 * A Mesh service location, normalised by the WHATWG parser. Plain http is allowed: nothing
 * that authorises anything relies on the transport (design decision 4), and tests use
 * loopback; the agent may still warn about it.
 */
export function serviceUrl(reader: ConfigReader, path: string, value: unknown): string | undefined {
  const text = reader.string(path, value, URL_EXPECTED);
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return reader.fail(path, URL_EXPECTED, `${describeValue(text)}, which is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return reader.fail(path, URL_EXPECTED, `a URL with scheme ${JSON.stringify(url.protocol.slice(0, -1))}`);
  }
  // Never echo credentials, even to say they should not be there.
  if (url.username !== '' || url.password !== '') return reader.fail(path, URL_EXPECTED, 'a URL with credentials');
  if (url.search !== '' || url.hash !== '')
    return reader.fail(path, URL_EXPECTED, `${describeValue(text)}, which has a query or fragment`);
  return url.href;
}

const PATH_EXPECTED = 'an absolute path';
const CONTROL = /[\u0000-\u001f\u007f]/;

/** An absolute path with no `..` segment, trailing slashes removed. */
export function absolutePath(
  reader: ConfigReader,
  path: string,
  value: unknown,
  expected = PATH_EXPECTED,
): string | undefined {
  const text = reader.string(path, value, expected);
  if (text === undefined) return undefined;
  if (!text.startsWith('/')) {
    // A relative path would depend on the directory systemd starts the agent in (/).
    return reader.fail(path, expected, `${describeValue(text)}, which is relative`);
  }
  if (CONTROL.test(text)) return reader.fail(path, expected, 'a path with control characters');
  if (text.split('/').includes('..'))
    return reader.fail(path, expected, `${describeValue(text)}, which has a ".." segment`);
  const trimmed = text.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/** A character device under /dev (serial lines). */
export function devicePath(reader: ConfigReader, path: string, value: unknown): string | undefined {
  const expected = 'a device path under /dev/, e.g. "/dev/ttyS0"';
  const checked = absolutePath(reader, path, value, expected);
  if (checked === undefined) return undefined;
  if (!checked.startsWith('/dev/') || checked.length <= '/dev/'.length) {
    return reader.fail(path, expected, describeValue(checked));
  }
  return checked;
}

const PIN_EXPECTED = 'a PIN (a UDF starting with "A") or an mcu://user@domain/PIN URI';

/**
 * The PIN an owner issued (`mesh account pin`), given bare or as the mcu:// URI the owner's
 * tool prints. A URI must name `account`: a PIN is bound to one account by PinId
 * (docs/mesh-compatibility.md §6.1), so a PIN for another account can only fail later, less clearly.
 * Returns the canonical PIN UDF.
 */
export function ownerPin(
  reader: ConfigReader,
  path: string,
  value: unknown,
  account: string | undefined,
): string | undefined {
  const text = reader.string(path, value, PIN_EXPECTED, true);
  if (text === undefined) return undefined;
  if (/^mcu:/i.test(text)) {
    let parsed: ReturnType<typeof parseConnectUri>;
    try {
      parsed = parseConnectUri(text);
    } catch (cause) {
      if (!(cause instanceof MeshError)) throw cause;
      return reader.fail(
        path,
        PIN_EXPECTED,
        `an mcu:// URI whose ${String(cause.context['part'] ?? 'text')} is malformed`,
      );
    }
    if (parsed.kind !== 'Pin') {
      return reader.fail(path, PIN_EXPECTED, 'an mcu:// URI carrying a label ConnectKey ("E..."), which is not a PIN');
    }
    if (account !== undefined && parsed.account.toLowerCase() !== account.toLowerCase()) {
      return reader.fail(path, `a PIN URI for ${account}`, `a PIN URI for ${parsed.account}`);
    }
    return parsed.key;
  }
  let canonical: string;
  let type: number;
  let length: number;
  try {
    canonical = canonicalUdfString(text, path);
    const parsed = parseUdf(canonical, path);
    type = parsed.type;
    length = parsed.bds.length;
  } catch (cause) {
    if (!(cause instanceof MeshError)) throw cause;
    return reader.fail(path, PIN_EXPECTED, 'a string that is not a UDF');
  }
  if (type !== UdfType.HmacSha2) return reader.fail(path, PIN_EXPECTED, `a UDF of type 0x${type.toString(16)}`);
  if (length < MIN_CONNECT_URI_KEY_BYTES) return reader.fail(path, PIN_EXPECTED, `a PIN of only ${length} bytes`);
  return canonical;
}
