/**
 * @module platform/fs/strict-utf8
 * Text the agent reads from a file (its configuration, its state, the technician's overlay)
 * must be UTF-8: decoded with a fatal decoder, never with U+FFFD put in place of bad bytes,
 * because a replaced byte silently changes a value (a directory name, an account) into one
 * nobody wrote. A refusal names the file and the byte offset of the first invalid sequence,
 * so the person at the editor finds it.
 */
import { MeshError, type MeshErrorOptions } from '../../crypto/errors.js';

/** A file that should hold UTF-8 text holds an invalid byte sequence at `offset`. */
export class InvalidUtf8TextError extends MeshError {
  readonly code = 'ERR_INVALID_UTF8_TEXT';
  readonly path: string;
  readonly offset: number;
  constructor(path: string, offset: number, options: MeshErrorOptions = {}) {
    super(`${path} is not UTF-8 text: an invalid byte sequence at byte offset ${offset}`, {
      ...options,
      context: { path, offset, ...options.context },
    });
    this.path = path;
    this.offset = offset;
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The second byte's range for a lead byte (RFC 3629 §4: no overlongs, no surrogates, ≤ U+10FFFF). */
function sequence(lead: number): { readonly length: number; readonly low: number; readonly high: number } | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return { length: 2, low: 0x80, high: 0xbf };
  if (lead === 0xe0) return { length: 3, low: 0xa0, high: 0xbf };
  if (lead === 0xed) return { length: 3, low: 0x80, high: 0x9f };
  if (lead >= 0xe1 && lead <= 0xef) return { length: 3, low: 0x80, high: 0xbf };
  if (lead === 0xf0) return { length: 4, low: 0x90, high: 0xbf };
  if (lead >= 0xf1 && lead <= 0xf3) return { length: 4, low: 0x80, high: 0xbf };
  if (lead === 0xf4) return { length: 4, low: 0x80, high: 0x8f };
  return undefined;
}

/** The byte offset where the first invalid (or truncated) UTF-8 sequence starts; undefined when all is valid. */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number | undefined {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    const seq = sequence(lead);
    if (seq === undefined || i + seq.length > bytes.length) return i;
    const second = bytes[i + 1] as number;
    if (second < seq.low || second > seq.high) return i;
    for (let k = 2; k < seq.length; k++) {
      const next = bytes[i + k] as number;
      if (next < 0x80 || next > 0xbf) return i;
    }
    i += seq.length;
  }
  return undefined;
}

/**
 * Decodes `bytes` read from `path` as UTF-8 (a leading byte-order mark is dropped).
 * @throws InvalidUtf8TextError naming the path and the offset of the first bad sequence
 */
export function decodeUtf8File(bytes: Uint8Array, path: string): string {
  try {
    return decoder.decode(bytes);
  } catch (cause) {
    throw new InvalidUtf8TextError(path, firstInvalidUtf8Offset(bytes) ?? 0, { cause });
  }
}
