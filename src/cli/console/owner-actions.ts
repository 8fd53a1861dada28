/**
 * @module cli/console/owner-actions
 * What the console does on the owner home is what the CLI does: each action runs the `mesh`
 * command itself (device pending, accept, reject, list, revoke, configure, claim; account
 * status, pin) in process with `--json`, so the checks, the home's records and the service
 * transactions are the CLI's own (docs/console.md "Same code paths"). Actions run one at a
 * time, so the background poll and a click never write the home at once.
 *
 * Everything that goes to the page is neutralised first (docs/security.md "What the owner's
 * tools show"): every string, whoever chose it, goes through `terminalText`, so a device's
 * Description with HTML, escape sequences or bidi controls reaches the page as visible text.
 */
import { parseArgs } from 'node:util';
import { MeshError } from '../../crypto/errors.js';
import type { JsonValue } from '../../mesh/encoding/json-value.js';
import { terminalText } from '../../mesh/encoding/terminal-text.js';
import { CheckFailedError, UsageError } from '../cli-errors.js';
import type { Command, CommandContext } from '../command.js';
import { makeAccountPin } from '../commands/account-pin.js';
import { makeAccountStatus } from '../commands/account-status.js';
import { makeDeviceAccept } from '../commands/device-accept.js';
import { makeDeviceClaim } from '../commands/device-claim.js';
import { makeDeviceConfigure } from '../commands/device-configure.js';
import { makeDeviceList } from '../commands/device-list.js';
import { makeDevicePending } from '../commands/device-pending.js';
import { makeDeviceReject } from '../commands/device-reject.js';
import { makeDeviceRevoke } from '../commands/device-revoke.js';
import { defaultOwnerEnvironment, type OwnerEnvironment } from '../owner/owner-session.js';

/** Longest string shown for one field: a witness, a UDF, a description or a message. */
const MAX_FIELD_CHARS = 400;

/** A command that said no: its HTTP status and its message, neutralised. */
export class ActionFailedError extends MeshError {
  readonly code = 'ERR_CONSOLE_ACTION';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `value` with every string made visible-only (module comment). */
export function neutralised(value: unknown): JsonValue {
  if (typeof value === 'string') return terminalText(value, MAX_FIELD_CHARS);
  if (Array.isArray(value)) return value.map(neutralised);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[terminalText(k, 64)] = neutralised(v);
    return out;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  return null;
}

export interface OwnerActionsOptions {
  readonly home: string;
  readonly allowInsecureHttp: boolean;
  readonly env?: OwnerEnvironment;
}

export class OwnerActions {
  readonly #home: string;
  readonly #insecure: boolean;
  readonly #commands: Readonly<Record<string, Command>>;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: OwnerActionsOptions) {
    const env = options.env ?? defaultOwnerEnvironment;
    this.#home = options.home;
    this.#insecure = options.allowInsecureHttp;
    this.#commands = {
      status: makeAccountStatus(env),
      pin: makeAccountPin(env),
      pending: makeDevicePending(env),
      accept: makeDeviceAccept(env),
      reject: makeDeviceReject(env),
      list: makeDeviceList(env),
      revoke: makeDeviceRevoke(env),
      configure: makeDeviceConfigure(env),
      claim: makeDeviceClaim(env),
    };
  }

  /**
   * Runs `mesh <command> --json --home … [--option=value…] -- [positional…]` in process, after
   * any action still running. Options are written `--name=value` and positionals follow `--`,
   * so a value from the page that starts with "-" stays a value.
   */
  run(
    name: string,
    positionals: readonly string[] = [],
    options: Readonly<Record<string, string | true>> = {},
  ): Promise<JsonValue> {
    const argv = [
      ...Object.entries(options).map(([k, v]) => (v === true ? `--${k}` : `--${k}=${v}`)),
      '--json',
      '--home',
      this.#home,
      ...(this.#insecure ? ['--allow-insecure-http'] : []),
      '--',
      ...positionals,
    ];
    const next = this.#queue.then(() => this.#runNow(name, argv));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #runNow(name: string, argv: readonly string[]): Promise<JsonValue> {
    const command = this.#commands[name];
    if (command === undefined) throw new ActionFailedError(404, `no such action ${JSON.stringify(name)}`);
    const out: string[] = [];
    const err: string[] = [];
    const ctx: CommandContext = {
      out: (line) => out.push(line),
      write: () => undefined,
      err: (line) => err.push(line),
      readInput: () => Promise.reject(new UsageError('the console reads no files')),
      env: {},
    };
    const args = [...argv];
    const prefix = `mesh ${command.path.join(' ')}`;
    try {
      let parsed: ReturnType<typeof parseArgs>;
      try {
        parsed = parseArgs({
          args,
          options: { json: { type: 'boolean' }, ...command.options },
          allowPositionals: true,
          strict: true,
        });
      } catch (cause) {
        throw new UsageError((cause as Error).message.split('\n')[0] ?? 'bad arguments', undefined, { cause });
      }
      await command.run(
        { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals },
        ctx,
      );
    } catch (error) {
      // The CLI's exit statuses, as HTTP: 1 (a check said no) 422, 2 (bad input) 400, 3 500.
      if (error instanceof CheckFailedError)
        throw new ActionFailedError(422, terminalText(`${prefix}: ${error.message}`, 2000));
      if (error instanceof MeshError)
        throw new ActionFailedError(400, terminalText(`${prefix}: ${error.message}`, 2000));
      throw new ActionFailedError(
        500,
        terminalText(`${prefix}: internal error: ${(error as Error)?.message ?? String(error)}`, 2000),
      );
    }
    const last = out[out.length - 1];
    if (last === undefined) throw new ActionFailedError(500, `${prefix} printed nothing`);
    return neutralised(JSON.parse(last));
  }
}
