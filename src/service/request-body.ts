/**
 * @module service/request-body
 * Turns the bytes of a POST into `{name, body}` under the limits of docs/service-protocol.md
 * ("Limits"): the size is checked by the HTTP layer while reading, the nesting depth here by a
 * scan *before* JSON.parse, so a hostile body of a million `[` never reaches the recursive
 * parser and never costs more than one linear pass. UTF-8 is decoded strictly: a body that is
 * not valid UTF-8 is refused rather than silently repaired with U+FFFD.
 */
import { Status, ServiceRequestError, badRequest } from './service-errors.js';

export interface BodyLimits {
  /** Bytes of the whole body (docs/service-protocol.md: 256 KiB). */
  readonly maxBodyBytes: number;
  /** Nesting of objects and arrays (docs/service-protocol.md: 32). */
  readonly maxDepth: number;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = Object.freeze({ maxBodyBytes: 256 * 1024, maxDepth: 32 });

export interface ParsedRequest {
  /** The request tag, e.g. `ValidateRequest`. */
  readonly name: string;
  /** Its value, still unvalidated (the transaction's schema checks it). */
  readonly body: unknown;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Deepest nesting of `[`/`{` outside strings; stops early once past `limit`. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
}

/**
 * Reads `{"<Name>Request": {...}}`.
 * @throws ServiceRequestError 413 for a body over the size limit, 400 naming the problem for
 *   bytes that are not UTF-8 JSON, nesting past the limit, or a top level that is not one
 *   `…Request` member.
 */
export function parseRequestBody(bytes: Uint8Array, limits: BodyLimits = DEFAULT_BODY_LIMITS): ParsedRequest {
  if (bytes.length > limits.maxBodyBytes) {
    throw new ServiceRequestError(
      Status.TooLarge,
      `request body is ${bytes.length} bytes, more than the limit of ${limits.maxBodyBytes}`,
    );
  }
  if (bytes.length === 0) throw badRequest('request body is empty: expected {"<Name>Request": {...}}');
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch (cause) {
    throw badRequest('request body is not valid UTF-8', { cause });
  }
  if (jsonDepthExceeds(text, limits.maxDepth)) {
    throw badRequest(`request body is nested more than ${limits.maxDepth} levels deep`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    // V8's message gives the position, never more than a few characters of the input.
    const detail = cause instanceof SyntaxError ? `: ${cause.message.slice(0, 120)}` : '';
    throw badRequest(`request body is not valid JSON${detail}`, { cause });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw badRequest(
      `request body expected a JSON object {"<Name>Request": {...}}, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`,
    );
  }
  const keys = Object.keys(json);
  if (keys.length !== 1) {
    throw badRequest(`request body expected exactly one member {"<Name>Request": {...}}, got ${keys.length}`);
  }
  const name = keys[0] as string;
  if (!/^[A-Za-z][A-Za-z0-9]{0,63}Request$/.test(name)) {
    throw badRequest(
      `request body member expected a name ending in "Request", got ${JSON.stringify(name.slice(0, 64))}`,
    );
  }
  return { name, body: (json as Record<string, unknown>)[name] };
}
