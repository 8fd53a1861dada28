/**
 * @module service/store/log-file
 * The embedded store's log file: a 16-byte header, then one frame per entry:
 *
 *   magic "MLE1" (4) | payload length, u32 big-endian (4) | payload (JSON) | chain_i (64)
 *
 * The stored chain value lets a reader check each frame against everything before it
 * (docs/decisions/0011-crash-safe-persistence.md). Replay distinguishes a torn tail (the unacknowledged end of the
 * last write, cut or zero-filled by a crash: truncated and reported) from damage before the
 * tail (a bad frame followed by an intact one: refused, because dropping it would lose
 * acknowledged writes).
 */
import type { FileHandle } from 'node:fs/promises';
import { equalBytes, fromUtf8, utf8 } from '../../crypto/bytes.js';
import { decodeLogEntry, type LogEntry } from './log-entry.js';
import { HASH_BYTES, LogHead } from './log-hash.js';
import { StoreBackendError, StoreCorruptionError } from './store-errors.js';
import { MAX_ENTRY_BYTES } from './store-input.js';

export const LOG_HEADER: Uint8Array = utf8('mesh-store-log/1');
export const FRAME_MAGIC: Uint8Array = utf8('MLE1');
export const FRAME_OVERHEAD = 4 + 4 + HASH_BYTES;
/**
 * The largest payload replay accepts as a frame, fixed rather than taken from the configured
 * limits: lowering a limit must never make existing entries look like a torn tail.
 */
export const MAX_FRAME_PAYLOAD = MAX_ENTRY_BYTES;
const READ_CHUNK = 4 * 1024 * 1024;

export function encodeFrame(payload: Uint8Array, chain: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_OVERHEAD + payload.length);
  frame.set(FRAME_MAGIC, 0);
  new DataView(frame.buffer).setUint32(4, payload.length, false);
  frame.set(payload, 8);
  frame.set(chain, 8 + payload.length);
  return frame;
}

/** Why replay stopped before the end of the file. */
export interface LogDamage {
  /** File offset of the first byte that is not part of a verified frame. */
  readonly offset: number;
  readonly reason: string;
}

export interface ReplayResult {
  readonly head: LogHead;
  /** Offset just past the last verified frame. */
  readonly end: number;
  readonly fileSize: number;
  readonly damage?: LogDamage;
}

/**
 * Reads frames from the header to the first one that does not verify (or `limit` bytes),
 * calling `onEntry` for each verified entry in order.
 */
export async function replayLog(
  handle: FileHandle,
  onEntry: (entry: LogEntry, offset: number, leaf: Uint8Array) => void,
  limit?: number,
): Promise<ReplayResult> {
  const fileSize = limit ?? (await stat(handle)).size;
  const header = await readAt(handle, 0, Math.min(LOG_HEADER.length, fileSize));
  if (header.length < LOG_HEADER.length || !equalBytes(header, LOG_HEADER)) {
    throw new StoreCorruptionError(`log file does not start with the "${fromUtf8(LOG_HEADER)}" header`, {
      context: { what: 'header', fileSize },
    });
  }
  const head = new LogHead();
  let offset = LOG_HEADER.length;
  let buffer: Uint8Array = new Uint8Array(0);
  let bufferStart = offset;
  // Returns the bytes [at, at+length) if the file has them, refilling the window as needed.
  const bytes = async (at: number, length: number): Promise<Uint8Array | undefined> => {
    if (at + length > fileSize) return undefined;
    if (at < bufferStart || at + length > bufferStart + buffer.length) {
      buffer = await readAt(handle, at, Math.min(fileSize - at, Math.max(READ_CHUNK, length)));
      bufferStart = at;
    }
    return buffer.subarray(at - bufferStart, at - bufferStart + length);
  };
  const damage = (reason: string): ReplayResult => ({ head, end: offset, fileSize, damage: { offset, reason } });

  while (offset < fileSize) {
    const frameHeader = await bytes(offset, 8);
    if (frameHeader === undefined) return damage('partial frame header');
    if (!equalBytes(frameHeader.subarray(0, 4), FRAME_MAGIC)) return damage('bad frame magic');
    const length = new DataView(frameHeader.buffer, frameHeader.byteOffset, 8).getUint32(4, false);
    if (length > MAX_FRAME_PAYLOAD) return damage(`frame length ${length} exceeds the largest possible entry`);
    const body = await bytes(offset + 8, length + HASH_BYTES);
    if (body === undefined) return damage('partial frame');
    const payload = body.slice(0, length);
    const stored = body.subarray(length);
    const next = head.next(payload);
    if (!equalBytes(next.chain, stored)) return damage('hash chain mismatch');
    let entry: LogEntry;
    try {
      entry = decodeLogEntry(payload, `offset ${offset}`);
    } catch (cause) {
      return damage((cause as Error).message);
    }
    if (entry.index !== head.index + 1) return damage(`entry index ${entry.index} where ${head.index + 1} was due`);
    head.advance(next.leaf, next.chain);
    onEntry(entry, offset, next.leaf);
    offset += FRAME_OVERHEAD + length;
  }
  return { head, end: offset, fileSize };
}

/**
 * Looks past damage at `from` for a frame that is intact in itself: magic, a length that
 * fits, and a payload that parses as an entry with an index beyond `lastIndex`. Crash
 * garbage (a cut frame, zero fill, a partly written header) never contains one; an intact
 * frame there means the damage is in the middle of the log.
 */
export async function findIntactFrameAfter(
  handle: FileHandle,
  from: number,
  fileSize: number,
  lastIndex: number,
): Promise<number | undefined> {
  for (let windowStart = from + 1; windowStart < fileSize; windowStart += READ_CHUNK) {
    // Overlap by the magic's length so a magic straddling two windows is still seen.
    const window = await readAt(
      handle,
      windowStart,
      Math.min(READ_CHUNK + FRAME_MAGIC.length - 1, fileSize - windowStart),
    );
    for (
      let i = window.indexOf(FRAME_MAGIC[0] as number);
      i >= 0 && i < READ_CHUNK;
      i = window.indexOf(FRAME_MAGIC[0] as number, i + 1)
    ) {
      if (i + FRAME_MAGIC.length > window.length) break;
      if (!equalBytes(window.subarray(i, i + FRAME_MAGIC.length), FRAME_MAGIC)) continue;
      const at = windowStart + i;
      if (at + 8 > fileSize) continue;
      const lengthBytes = await readAt(handle, at + 4, 4);
      const length = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 4).getUint32(0, false);
      if (length > MAX_FRAME_PAYLOAD || at + FRAME_OVERHEAD + length > fileSize) continue;
      const payload = await readAt(handle, at + 8, length);
      try {
        if (decodeLogEntry(payload, `offset ${at}`).index > lastIndex) return at;
      } catch {
        // Not a frame: keep looking.
      }
    }
  }
  return undefined;
}

export async function readAt(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await io('read the log', () => handle.read(out, done, length - done, position + done));
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? out : out.subarray(0, done);
}

export async function stat(handle: FileHandle): Promise<{ size: number }> {
  return io('stat the log', () => handle.stat());
}

/** Runs a file-system call, turning its failure into StoreBackendError naming the step. */
export async function io<T>(step: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    throw new StoreBackendError(`could not ${step}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, {
      context: { step },
      cause,
    });
  }
}
