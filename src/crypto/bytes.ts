/**
 * @module crypto/bytes
 * Byte helpers over Uint8Array: concatenation, UTF-8, hex, constant-time comparison,
 * little-endian bigint conversion, and argument checks whose messages name the argument.
 */
import { InvalidArgumentError, InvalidEncodingError } from './errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function fromUtf8(bytes: Uint8Array, what = 'bytes'): string {
  try {
    return decoder.decode(bytes);
  } catch (cause) {
    throw new InvalidEncodingError(`"${what}" is not valid UTF-8`, { context: { what }, cause });
  }
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Constant-time for equal lengths; length itself is not secret here. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Parses hex, ignoring whitespace (vectors are often printed in groups). */
export function fromHex(hex: string, what = 'hex'): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new InvalidEncodingError(`"${what}" expected an even number of hex digits`, {
      context: { what, length: clean.length },
    });
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToBigIntLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] as number);
  return n;
}

export function bigIntToBytesLE(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let v = n;
  for (let i = 0; i < length; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) {
    throw new InvalidArgumentError(`integer does not fit in ${length} bytes`, {
      context: { length },
    });
  }
  return out;
}

export function bytesToBigIntBE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

export function bigIntToBytesBE(n: bigint, length: number): Uint8Array {
  return bigIntToBytesLE(n, length).reverse();
}

/** Asserts a Uint8Array, optionally of an exact length, naming the argument in the error. */
export function assertBytes(value: unknown, what: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new InvalidArgumentError(`"${what}" expected Uint8Array, got type=${typeof value}`, {
      context: { what, expected: 'Uint8Array' },
    });
  }
  if (length !== undefined && value.length !== length) {
    throw new InvalidArgumentError(`"${what}" expected Uint8Array of length ${length}, got length=${value.length}`, {
      context: { what, expected: length, actual: value.length },
    });
  }
}
