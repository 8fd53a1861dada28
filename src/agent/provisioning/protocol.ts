/**
 * @module agent/provisioning/protocol
 * The serial provisioning protocol, version 1 (README.md beside this file): one
 * JSON object per line, UTF-8, LF-terminated (a CR before the LF is ignored). The technician
 * sends requests `{"v":1,"id":7,"cmd":"status","args":{…}}`; the device answers each with
 * `{"v":1,"id":7,"ok":true,"result":{…}}` or `{"v":1,"id":7,"ok":false,"error":{"code","message"}}`
 * and announces itself with a `{"v":1,"event":"hello",…}` line when it opens the port.
 *
 * This file is pure: request parsing, reply shapes and error codes. It holds no state.
 */
import { MeshError, type MeshErrorOptions } from '../../crypto/errors.js';
import type { JsonObject, JsonValue } from '../../mesh/encoding/json-value.js';

export const PROTOCOL_VERSION = 1;

/**
 * The longest line the device reads, in bytes without the LF. A request is a few hundred
 * bytes (a PIN URI and a service URL); 4 KiB leaves room and bounds what noise can cost.
 */
export const MAX_LINE_BYTES = 4096;

export const COMMANDS = [
  'ping',
  'info',
  'status',
  'connect',
  'claims',
  'approve-claim',
  'unpair',
  'set-service',
  'factory-reset',
  'help',
] as const;
export type CommandName = (typeof COMMANDS)[number];

/** Stable error codes; a client branches on these, never on the message. */
export type ProvisioningErrorCode =
  /** The line was not UTF-8 (wrong baud rate, line noise). */
  | 'bad-encoding'
  /** Longer than MAX_LINE_BYTES; discarded up to the next LF. */
  | 'line-too-long'
  /** Not JSON, or not a JSON object. */
  | 'bad-json'
  /** A JSON object that is not a request of this protocol (missing or mistyped v, id, cmd, args). */
  | 'bad-request'
  /** `v` is a protocol version this device does not speak. */
  | 'unsupported-version'
  | 'unknown-command'
  /** `args` do not fit the command (names the field). */
  | 'bad-args'
  /** Too much bad input: replies are suppressed for a while (details.suppressed counts them). */
  | 'rate-limited'
  /** Too many requests waiting; retry after the answers arrive. */
  | 'busy'
  /** The command needs the code the device just showed on its console/LED (details say how long it lasts). */
  | 'confirmation-required'
  /** The code is wrong; details.attemptsLeft says how many tries remain for this code. */
  | 'bad-code'
  /** The code expired, was used, or ran out of attempts: request a fresh one. */
  | 'code-expired'
  | 'no-such-owner'
  | 'no-such-claim'
  /** The claim is held for an existing owner's approval, which the device cannot give itself. */
  | 'not-confirmable'
  /** The request conflicts with the device's state (an account that is already an owner). */
  | 'conflict'
  /** Something the device cannot do in its configuration (set-service maker without claims). */
  | 'unsupported'
  /** The device failed; the agent goes on. */
  | 'internal';

/** A request id: an integer or a short string, echoed in the reply. */
export type RequestId = number | string;

export interface ProvisioningRequest {
  readonly v: number;
  readonly id: RequestId;
  readonly cmd: string;
  readonly args: JsonObject;
}

export interface OkReply {
  readonly v: typeof PROTOCOL_VERSION;
  readonly id: RequestId | null;
  readonly ok: true;
  readonly result: JsonObject;
}

export interface ErrorReply {
  readonly v: typeof PROTOCOL_VERSION;
  readonly id: RequestId | null;
  readonly ok: false;
  readonly error: { readonly code: ProvisioningErrorCode; readonly message: string; readonly details?: JsonObject };
}

export type Reply = OkReply | ErrorReply;

export interface EventLine {
  readonly v: typeof PROTOCOL_VERSION;
  readonly event: string;
  readonly [key: string]: JsonValue;
}

/**
 * A command that failed for a reason the technician should see: carries the protocol code
 * and optional details. Messages never hold a secret (a PIN, a confirmation code).
 */
export class ProvisioningCommandError extends MeshError {
  readonly code = 'ERR_PROVISIONING_COMMAND';
  readonly replyCode: ProvisioningErrorCode;
  readonly details: JsonObject | undefined;

  constructor(replyCode: ProvisioningErrorCode, message: string, details?: JsonObject, options: MeshErrorOptions = {}) {
    super(message, { ...options, context: { ...options.context, replyCode } });
    this.replyCode = replyCode;
    this.details = details;
  }
}

export function okReply(id: RequestId | null, result: JsonObject): OkReply {
  return { v: PROTOCOL_VERSION, id, ok: true, result };
}

export function errorReply(
  id: RequestId | null,
  code: ProvisioningErrorCode,
  message: string,
  details?: JsonObject,
): ErrorReply {
  return {
    v: PROTOCOL_VERSION,
    id,
    ok: false,
    error: { code, message, ...(details === undefined ? {} : { details }) },
  };
}

/** One line on the wire (without the LF). JSON.stringify escapes every control character. */
export function encodeLine(value: Reply | EventLine | ProvisioningRequest): string {
  return JSON.stringify(value);
}

const MAX_STRING_ID = 64;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The id of a line that failed later checks, when it has a usable one. */
function idOf(value: Record<string, unknown>): RequestId | null {
  const id = value['id'];
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id;
  if (typeof id === 'string' && id.length > 0 && id.length <= MAX_STRING_ID) return id;
  return null;
}

export type ParsedLine =
  | { readonly kind: 'request'; readonly request: ProvisioningRequest }
  | { readonly kind: 'error'; readonly reply: ErrorReply };

/**
 * Parses one decoded line. Every failure is an error reply naming the field, with the
 * request's id when it has one, so a client can match it.
 */
export function parseRequestLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return {
      kind: 'error',
      reply: errorReply(
        null,
        'bad-json',
        `the line is not JSON (${line.length} characters); send one JSON object per line`,
      ),
    };
  }
  if (!isObject(value))
    return {
      kind: 'error',
      reply: errorReply(
        null,
        'bad-json',
        `the line is JSON but not an object; send {"v":${PROTOCOL_VERSION},"id":1,"cmd":"ping"}`,
      ),
    };
  const id = idOf(value);
  const fail = (code: ProvisioningErrorCode, message: string): ParsedLine => ({
    kind: 'error',
    reply: errorReply(id, code, message),
  });
  const v = value['v'];
  if (typeof v !== 'number' || !Number.isInteger(v))
    return fail('bad-request', `"v" expected the protocol version ${PROTOCOL_VERSION}, got ${describe(v)}`);
  if (v !== PROTOCOL_VERSION)
    return fail(
      'unsupported-version',
      `"v" expected ${PROTOCOL_VERSION}, got ${v}: this device speaks version ${PROTOCOL_VERSION}`,
    );
  if (id === null)
    return fail(
      'bad-request',
      `"id" expected a non-negative integer or a string of 1 to ${MAX_STRING_ID} characters, got ${describe(value['id'])}`,
    );
  const cmd = value['cmd'];
  if (typeof cmd !== 'string' || cmd.length === 0)
    return fail('bad-request', `"cmd" expected a command name, got ${describe(cmd)}`);
  if (!(COMMANDS as readonly string[]).includes(cmd)) {
    return fail(
      'unknown-command',
      `"cmd" expected one of ${COMMANDS.join(', ')}, got ${JSON.stringify(cmd.slice(0, 40))}`,
    );
  }
  const args = value['args'] ?? {};
  if (!isObject(args)) return fail('bad-request', `"args" expected an object, got ${describe(args)}`);
  return { kind: 'request', request: { v, id, cmd, args: args as JsonObject } };
}

/** A short, safe description of a JSON value: kinds only, so nothing secret is echoed. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value === 'object' ? 'object' : typeof value}`;
}
