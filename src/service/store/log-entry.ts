/**
 * @module service/store/log-entry
 * The payload of one log entry: its index and the batch of changes, as UTF-8 JSON. Both
 * backends hash exactly these bytes, so a log exported from either verifies the same way.
 * Values are embedded as the JSON text the caller's object serialised to; re-serialising a
 * parsed value gives the same text (JSON.stringify is canonical for what JSON.parse returns).
 */
import { fromUtf8, utf8 } from '../../crypto/bytes.js';
import { StoreCorruptionError } from './store-errors.js';
import type { CheckedChange } from './store-input.js';

export interface LogEntry {
  readonly index: number;
  readonly changes: readonly CheckedChange[];
}

export function encodeLogEntry(entry: LogEntry): Uint8Array {
  const changes = entry.changes.map((c) =>
    c.op === 'put'
      ? `{"op":"put","container":${JSON.stringify(c.container)},"key":${JSON.stringify(c.key)},"value":${c.json}}`
      : `{"op":"delete","container":${JSON.stringify(c.container)},"key":${JSON.stringify(c.key)}}`,
  );
  return utf8(`{"index":${entry.index},"changes":[${changes.join(',')}]}`);
}

/** Parses a payload; `where` names the entry in the error (file offset or row). */
export function decodeLogEntry(payload: Uint8Array, where: string): LogEntry {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromUtf8(payload, 'log entry'));
  } catch (cause) {
    throw new StoreCorruptionError(`log entry at ${where} is not valid UTF-8 JSON`, { context: { where }, cause });
  }
  const bad = (detail: string): StoreCorruptionError =>
    new StoreCorruptionError(`log entry at ${where} is malformed: ${detail}`, { context: { where } });
  if (typeof parsed !== 'object' || parsed === null) throw bad('not an object');
  const { index, changes } = parsed as { index?: unknown; changes?: unknown };
  if (!Number.isSafeInteger(index) || (index as number) < 1) throw bad('"index" is not a positive integer');
  if (!Array.isArray(changes)) throw bad('"changes" is not an array');
  const out: CheckedChange[] = changes.map((c: unknown, i) => {
    if (typeof c !== 'object' || c === null) throw bad(`changes[${i}] is not an object`);
    const { op, container, key, value } = c as Record<string, unknown>;
    if (typeof container !== 'string' || typeof key !== 'string') throw bad(`changes[${i}] lacks container or key`);
    if (op === 'delete') return { op, container, key };
    if (op === 'put' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return { op, container, key, json: JSON.stringify(value) };
    }
    throw bad(`changes[${i}] is neither a put of an object nor a delete`);
  });
  return { index: index as number, changes: out };
}
