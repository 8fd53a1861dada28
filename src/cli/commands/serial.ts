/**
 * @module cli/commands/serial
 * `mesh serial <port> [command...] [--baud 115200] [--json] [--timeout 10]`: the
 * technician's end of the serial provisioning protocol (src/agent/provisioning/
 * README.md), over a USB gadget serial (`/dev/ttyACM0` on the
 * laptop) or a UART adapter (`/dev/ttyUSB0`).
 *
 * - With a command: sends one request, prints the reply (text, or the reply line itself
 *   with --json) and exits 0 when the device said ok, 1 when it answered with an error or
 *   not at all, 2 for bad usage or a port that cannot be opened.
 * - Without: interactive. Each line typed is a command (`help` lists them, `quit` ends);
 *   replies print as they come. Standard input may be a pipe: the session ends at its end,
 *   once every request has been answered.
 *
 * Words after the command fill its arguments in order; `name=value` sets one by name
 * (agent/provisioning/command-words). The device's own lines without an id (the hello
 * banner) are shown in interactive mode and skipped otherwise; anything else on the line
 * that is not a reply (console noise) is ignored.
 */
import { createInterface } from 'node:readline';
import { SERIAL_BAUD_RATES } from '../../agent/config/agent-config.js';
import { COMMAND_USAGE, argsFromWords } from '../../agent/provisioning/command-words.js';
import {
  COMMANDS,
  PROTOCOL_VERSION,
  encodeLine,
  type CommandName,
  type Reply,
} from '../../agent/provisioning/protocol.js';
import type { JsonObject } from '../../mesh/encoding/json-value.js';
import { openSerialPortLink, type SerialLink } from '../../platform/serial/serial-port-link.js';
import { optionalString } from '../args.js';
import { UsageError } from '../cli-errors.js';
import type { Command, CommandContext } from '../command.js';

const DEFAULT_BAUD = 115200;
const DEFAULT_TIMEOUT_SECONDS = 10;

export interface SerialEnvironment {
  readonly open: (path: string, baudRate: number) => Promise<SerialLink>;
  /** Interactive input, line by line. */
  readonly input: () => AsyncIterable<string>;
  readonly interactivePrompt: boolean;
}

export const defaultSerialEnvironment: SerialEnvironment = {
  open: (path, baudRate) => openSerialPortLink(path, baudRate, { lineEnding: '\n' }),
  input: () => createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false }),
  interactivePrompt: process.stdin.isTTY === true,
};

function isCommand(word: string): word is CommandName {
  return (COMMANDS as readonly string[]).includes(word);
}

/** A line from the device as a reply or event of this protocol, else undefined. */
function parseDeviceLine(
  line: string,
): (Reply & { event?: undefined }) | { event: string; [key: string]: unknown } | undefined {
  const start = line.indexOf('{');
  if (start < 0) return undefined;
  try {
    const value = JSON.parse(line.slice(start)) as Record<string, unknown>;
    if (typeof value !== 'object' || value === null || value['v'] !== PROTOCOL_VERSION) return undefined;
    if (typeof value['event'] === 'string') return value as { event: string };
    if (typeof value['ok'] === 'boolean') return value as unknown as Reply;
  } catch {
    // Console noise or a line cut by the bound: not a reply.
  }
  return undefined;
}

/** The request line for `words`, or a usage problem. */
function requestFor(words: readonly string[], id: number): { line: string; command: CommandName } | string {
  const [name, ...rest] = words;
  if (name === undefined) return 'no command';
  if (!isCommand(name)) return `unknown command ${JSON.stringify(name)}; commands: ${COMMANDS.join(', ')}`;
  const args = argsFromWords(name, rest);
  if (typeof args === 'string') return args;
  return { line: encodeLine({ v: PROTOCOL_VERSION, id, cmd: name, args }), command: name };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Human-readable lines for an ok reply. */
export function formatResult(command: CommandName, result: JsonObject): string[] {
  const r = result as Record<string, unknown>;
  switch (command) {
    case 'ping':
      return ['pong'];
    case 'info': {
      const lines = [`device      ${text(r['device'])}`, `mode        ${text(r['mode'])}`];
      if (r['connectUri'] !== undefined) lines.push(`connect uri ${text(r['connectUri'])}`);
      lines.push(
        `agent       ${text(r['agentVersion'])} (protocol ${text(r['protocol'])})`,
        `keystore    ${text(r['keystore'])}`,
        `on reset    ${r['identityOnReset'] === 'keep' ? 'keeps its identity' : 'makes a new identity'}`,
      );
      return lines;
    }
    case 'status': {
      const lines = [
        `device      ${text(r['device'])}`,
        `mode        ${text(r['mode'])}`,
        `keystore    ${text(r['keystore'])}`,
      ];
      const owners = (r['owners'] as Array<Record<string, unknown>> | undefined) ?? [];
      if (owners.length === 0) lines.push('owners      none');
      for (const o of owners) {
        const parts = [`owner       ${text(o['account'])}: ${text(o['state'])}`];
        if (o['witness'] !== undefined) parts.push(`witness ${text(o['witness'])}`);
        if (o['checkCode'] !== undefined) parts.push(`check code ${text(o['checkCode'])}`);
        lines.push(parts.join('  '));
        const err = o['lastError'] as { message?: string } | undefined;
        if (err?.message !== undefined) lines.push(`            last error: ${err.message}`);
      }
      const claims = r['claims'] as Record<string, unknown> | undefined;
      for (const h of (claims?.['held'] as Array<Record<string, unknown>> | undefined) ?? []) {
        lines.push(
          `claim held  ${text(h['claimant'])} awaiting ${text(h['policy'])}${h['confirmable'] === true ? ' (approve-claim with the code the device shows)' : ''}`,
        );
      }
      return lines;
    }
    case 'claims': {
      const held = (r['held'] as Array<Record<string, unknown>> | undefined) ?? [];
      if (held.length === 0) return ['no claims held'];
      return held.map(
        (h) =>
          `${text(h['claimant'])}  ${text(h['policy'])}  received ${text(h['received'])}${h['confirmable'] === true ? '  confirmable' : ''}`,
      );
    }
    case 'connect': {
      const owner = (r['owner'] as Record<string, unknown> | undefined) ?? {};
      return [
        `${text(owner['account'])} added (${text(owner['state'])}) at ${text(owner['service'])}${r['pin'] === true ? ', with a PIN' : ''}; the owner now accepts the device`,
      ];
    }
    case 'unpair':
      return [`${text(r['account'])} unpaired (was ${text(r['previousState'])})`];
    case 'set-service':
      return [`${text(r['target'])} service ${text(r['service'])}`];
    case 'approve-claim':
      return [`claim by ${text(r['claimant'])} approved; the device now completes the connection`];
    case 'factory-reset':
      return [`factory reset done; identity ${text(r['identity'])}: ${text(r['device'])}`];
    case 'help':
      return ((r['commands'] as Array<Record<string, unknown>> | undefined) ?? []).map(
        (c) => `${text(c['usage']).padEnd(40)} ${text(c['summary'])}`,
      );
  }
}

function errorLines(reply: Reply & { ok: false }): string[] {
  const { code, message } = reply.error;
  if (code === 'confirmation-required')
    return [`${message}`, 'the device shows the code on its console; repeat the command followed by the code'];
  return [`${code}: ${message}`];
}

function helpLines(): string[] {
  return [
    ...COMMANDS.map((c) => `  ${COMMAND_USAGE[c].words.padEnd(40)} ${COMMAND_USAGE[c].summary}`),
    '  quit                                     end the session',
    'words fill arguments in order; name=value sets one by name (e.g. service=https://mesh.example.com/)',
  ];
}

/** Replies by id, and a way to wait for one. */
class ReplyWaiter {
  readonly #waiting = new Map<number, (reply: Reply) => void>();
  onEvent: ((event: { event: string; [key: string]: unknown }) => void) | undefined;

  constructor(link: SerialLink) {
    link.onLine((line) => {
      const parsed = parseDeviceLine(line);
      if (parsed === undefined) return;
      if (parsed.event !== undefined) {
        this.onEvent?.(parsed);
        return;
      }
      const reply = parsed as Reply;
      const wake = typeof reply.id === 'number' ? this.#waiting.get(reply.id) : undefined;
      if (wake !== undefined) {
        this.#waiting.delete(reply.id as number);
        wake(reply);
      }
    });
  }

  wait(id: number, timeoutMs: number): Promise<Reply | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.#waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }
}

export function makeSerial(env: SerialEnvironment = defaultSerialEnvironment): Command {
  return {
    path: ['serial'],
    summary: 'Technician: talk to a device over its serial provisioning port (one command, or interactive).',
    usage: '<port> [command...] [--baud 115200] [--timeout 10] [--json]',
    options: { baud: { type: 'string' }, timeout: { type: 'string' } },
    async run(args, ctx) {
      const [port, ...words] = args.positionals;
      if (port === undefined) throw new UsageError('expected the serial port, e.g. /dev/ttyACM0', '<port>');
      const baudText = optionalString(args, 'baud') ?? String(DEFAULT_BAUD);
      const baud = Number(baudText);
      if (!SERIAL_BAUD_RATES.includes(baud))
        throw new UsageError(
          `expected one of ${SERIAL_BAUD_RATES.join(', ')}, got ${JSON.stringify(baudText)}`,
          '--baud',
        );
      const timeoutText = optionalString(args, 'timeout') ?? String(DEFAULT_TIMEOUT_SECONDS);
      const timeout = Number(timeoutText);
      if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 600)
        throw new UsageError(`expected seconds between 0 and 600, got ${JSON.stringify(timeoutText)}`, '--timeout');
      const json = args.values['json'] === true;
      // Check the command before touching the port: a typo never reaches the device.
      // A random id: a stale reply left on the line by an earlier session never matches.
      const oneShotId = 1 + Math.floor(Math.random() * 2 ** 30);
      const oneShot = words.length === 0 ? undefined : requestFor(words, oneShotId);
      if (typeof oneShot === 'string') throw new UsageError(oneShot, '<command>');
      const link = await env.open(port, baud);
      try {
        const waiter = new ReplyWaiter(link);
        // A lone LF ends whatever partial line the device may hold (it ignores blank lines).
        await link.writeLine('');
        if (oneShot !== undefined)
          return await sendAndPrint(link, waiter, oneShot, oneShotId, timeout * 1000, json, ctx);
        return await interactive(link, waiter, env, timeout * 1000, json, ctx);
      } finally {
        await link.close();
      }
    },
  };
}

async function sendAndPrint(
  link: SerialLink,
  waiter: ReplyWaiter,
  request: { line: string; command: CommandName },
  id: number,
  timeoutMs: number,
  json: boolean,
  ctx: CommandContext,
): Promise<number> {
  const answer = waiter.wait(id, timeoutMs);
  await link.writeLine(request.line);
  const reply = await answer;
  if (reply === undefined) {
    ctx.err(
      `mesh serial: no answer from ${link.path} within ${timeoutMs / 1000} s (is the agent listening there, at this baud rate?)`,
    );
    return 1;
  }
  if (json) ctx.out(JSON.stringify(reply));
  if (reply.ok) {
    if (!json) for (const line of formatResult(request.command, reply.result)) ctx.out(line);
    return 0;
  }
  if (!json) for (const line of errorLines(reply)) ctx.err(`mesh serial: ${line}`);
  return 1;
}

async function interactive(
  link: SerialLink,
  waiter: ReplyWaiter,
  env: SerialEnvironment,
  timeoutMs: number,
  json: boolean,
  ctx: CommandContext,
): Promise<number> {
  waiter.onEvent = (event) => {
    if (json) ctx.out(JSON.stringify(event));
    else ctx.out(`device: ${event.event}${typeof event['device'] === 'string' ? ` ${event['device']}` : ''}`);
  };
  if (!json) ctx.out(`connected to ${link.path}; type help for the commands, quit to end`);
  const prompt = (): void => {
    if (env.interactivePrompt) process.stdout.write('mesh serial> ');
  };
  let id = Math.floor(Math.random() * 2 ** 30);
  prompt();
  for await (const raw of env.input()) {
    const words = raw
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '');
    if (words.length === 0) {
      prompt();
      continue;
    }
    if (words[0] === 'quit' || words[0] === 'exit') break;
    if (words[0] === 'help' && words.length === 1 && !json) {
      for (const line of helpLines()) ctx.out(line);
      prompt();
      continue;
    }
    id += 1;
    const request = requestFor(words, id);
    if (typeof request === 'string') {
      ctx.err(`mesh serial: ${request}`);
    } else {
      await sendAndPrint(link, waiter, request, id, timeoutMs, json, ctx);
    }
    prompt();
  }
  return 0;
}

export const serial = makeSerial();
