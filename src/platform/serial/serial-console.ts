/**
 * @module platform/serial/serial-console
 * The serial console: on boot and on every change of what it shows, the agent
 * writes an identity block to the configured console device (`serial.console`, e.g.
 * `/dev/serial0`, `/dev/ttyGS0`) and the same identity to the log. The block (docs/led-and-console.md):
 *
 * ```
 * ==== mesh-agent 0.1.0: device identity ====
 * device      <device UDF>
 * mode        factory|self
 * connect uri mcu://…                         (a preconfigured device)
 * owner       <account>: <state>              (one per owner)
 * witness     <witness> for <account>, check code <dddd>   (one per pending request)
 * claim held  <claimant> awaiting <policy>[, code <XXXX-XXXX>]
 * led         <LED state>
 * <QR code of the ConnectUri, or of the device UDF when there is none>
 * qr          <what the QR code holds>
 * ==== end ====
 * ```
 *
 * Everything in it comes from the status snapshot (AgentStatus), which holds nothing secret;
 * no seed, PIN or private key reaches this module. Outcomes (connected, rejected, claim held…)
 * (and notices such as a confirmation code) are written as one `mesh-agent: …` line each as they
 * happen, and an empty line typed on the
 * console (Enter) prints the block again, for a cable plugged in after boot.
 *
 * A console that is absent, cannot be opened, stalls or goes away is logged (a warning when
 * the cause changes, debug after) and reopened with backoff (2 s doubling to 60 s); the latest
 * block is written as soon as it opens. Nothing here throws into the agent.
 *
 * `qrcode` is loaded by dynamic import on the first block, and `serialport` by the serial
 * link on the first open: an agent without a console loads neither (bundle budget, §8).
 */
import type { AgentStatus } from '../../agent/agent-status.js';
import { deviceDisplay, displayKey, type DeviceDisplay } from '../../agent/announce/device-display.js';
import type { StatusDisplay } from '../../agent/announce/status-display.js';
import type { LedState } from '../../agent/led/led-pattern.js';
import type { Announcement, Announcer, Logger } from '../../agent/ports.js';
import { openSerialPortLink, type SerialLink } from './serial-port-link.js';

export interface ConsoleTimer {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface QrRenderer {
  /** ANSI (black on white, half blocks) for the console, whatever the terminal's colours. */
  terminal(text: string): Promise<string>;
  /** Plain UTF-8 half blocks for the log (no escape codes in journald). */
  utf8(text: string): Promise<string>;
}

export interface SerialConsoleOptions {
  readonly path: string;
  readonly baudRate: number;
  readonly logger: Logger;
  /** Tests inject a fake link; the default opens the device with serialport. */
  readonly open?: (path: string, baudRate: number) => Promise<SerialLink>;
  readonly qr?: QrRenderer;
  readonly timer?: ConsoleTimer;
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** A write that has not drained by then counts as a failed console (a USB gadget with no host). */
  readonly writeTimeoutMs?: number;
}

type QrModule = typeof import('qrcode');

/** `qrcode`, loaded on first use (CommonJS: its functions may sit on `default`). */
export const lazyQrRenderer: QrRenderer = (() => {
  let loading: Promise<QrModule> | undefined;
  const load = async (): Promise<QrModule> => {
    loading ??= import('qrcode').then((m) => ((m as unknown as { default?: QrModule }).default ?? m) as QrModule);
    return loading;
  };
  return {
    async terminal(text: string): Promise<string> {
      return (await load()).toString(text, { type: 'terminal', small: true });
    },
    async utf8(text: string): Promise<string> {
      return (await load()).toString(text, { type: 'utf8', margin: 2 });
    },
  };
})();

const systemTimer: ConsoleTimer = {
  set(callback, ms) {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return handle;
  },
  clear(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

function ledText(led: LedState): string {
  return led.kind === 'waiting' ? `waiting (check code ${led.checkCodes.join(', ')})` : led.kind;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The text lines of the identity block around the QR code (module comment). */
export function identityLines(
  display: DeviceDisplay,
  version: string,
): { head: string[]; qrSubject: string; tail: string[] } {
  const head = [
    `==== mesh-agent ${version}: device identity ====`,
    `device      ${display.deviceUdf}`,
    `mode        ${display.mode}`,
  ];
  if (display.connectUri !== undefined) head.push(`connect uri ${display.connectUri}`);
  for (const o of display.owners) head.push(`owner       ${o.account}: ${o.state}`);
  for (const p of display.pending) head.push(`witness     ${p.witness} for ${p.account}, check code ${p.checkCode}`);
  for (const h of display.claimsHeld)
    head.push(`claim held  ${h.claimant} awaiting ${h.policy}${h.code === undefined ? '' : `, code ${h.code}`}`);
  head.push(`led         ${ledText(display.led)}`);
  const qrSubject = display.connectUri ?? display.deviceUdf;
  return { head, qrSubject, tail: [`qr          ${qrSubject}`, '==== end ===='] };
}

/** The one line a console shows for an outcome, or undefined for what the block already shows. */
export function announcementLine(a: Announcement): string | undefined {
  switch (a.kind) {
    case 'connected':
    case 'rejected':
    case 'revoked':
    case 'expired':
      return `mesh-agent: ${a.account}: ${a.kind}`;
    case 'claim-held':
      return `mesh-agent: claim by ${a.claimant} held, awaiting ${a.policy}${a.code === undefined ? '' : `, code ${a.code}`}`;
    case 'claim-refused':
      return `mesh-agent: claim by ${a.claimant} refused: ${a.reason}`;
    default:
      return undefined;
  }
}

export class SerialConsole implements StatusDisplay, Announcer {
  readonly #options: SerialConsoleOptions;
  readonly #open: (path: string, baudRate: number) => Promise<SerialLink>;
  readonly #qr: QrRenderer;
  readonly #timer: ConsoleTimer;
  #link: SerialLink | undefined;
  #opening: Promise<void> | undefined;
  #retryHandle: unknown;
  #retryMs: number;
  #lastProblem: string | undefined;
  #display: DeviceDisplay | undefined;
  #version = '';
  #key: string | undefined;
  #loggedQr: string | undefined;
  /** Writes go out one after another: a block is never interleaved with another line. */
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: SerialConsoleOptions) {
    this.#options = options;
    this.#open = options.open ?? ((path, baud) => openSerialPortLink(path, baud));
    this.#qr = options.qr ?? lazyQrRenderer;
    this.#timer = options.timer ?? systemTimer;
    this.#retryMs = options.retryInitialMs ?? 2_000;
  }

  get path(): string {
    return this.#options.path;
  }

  /** Opens the console now (the first block will also open it); never rejects. */
  start(): Promise<void> {
    return this.#ensureOpen();
  }

  show(status: AgentStatus): void {
    if (this.#closed) return;
    const display = deviceDisplay(status);
    const key = displayKey(display);
    if (key === this.#key) return;
    this.#key = key;
    this.#display = display;
    this.#version = status.version;
    void this.#logIdentity(display, status.version);
    void this.#ensureOpen();
    this.#enqueueBlock();
  }

  announce(a: Announcement): void {
    const line = announcementLine(a);
    if (line === undefined || this.#closed) return;
    this.#enqueue(async (link) => link.writeLine(line));
  }

  /**
   * One `mesh-agent: <text>` line, now, if the console is open (e.g. a confirmation code for
   * the serial provisioning protocol: whoever reads the console stands at the device).
   */
  notice(text: string): void {
    if (this.#closed) return;
    this.#enqueue(async (link) => link.writeLine(`mesh-agent: ${text}`));
  }

  /** Resolves when everything queued so far has been written (or given up on). */
  flush(): Promise<void> {
    return this.#queue;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#queue;
    this.#closed = true;
    if (this.#retryHandle !== undefined) this.#timer.clear(this.#retryHandle);
    this.#retryHandle = undefined;
    const link = this.#link;
    this.#link = undefined;
    await link?.close().catch(() => undefined);
  }

  async #logIdentity(display: DeviceDisplay, version: string): Promise<void> {
    const { logger } = this.#options;
    const { head, qrSubject } = identityLines(display, version);
    for (const line of head.slice(1)) logger.log('info', `CONSOLE ${line}`, { event: 'console' });
    if (this.#loggedQr === qrSubject) return;
    this.#loggedQr = qrSubject;
    try {
      const qr = await this.#qr.utf8(qrSubject);
      logger.log('info', `CONSOLE qr ${qrSubject}`, { event: 'console-qr' });
      for (const row of qr.split('\n'))
        if (row.trim() !== '') logger.log('info', `CONSOLE ${row}`, { event: 'console-qr' });
    } catch (error) {
      logger.log('warn', `serial console: cannot draw the QR code: ${describe(error)}`, { event: 'console' });
    }
  }

  #enqueueBlock(): void {
    this.#enqueue(async (link) => {
      const display = this.#display;
      if (display === undefined) return;
      const { head, qrSubject, tail } = identityLines(display, this.#version);
      let qr: string[] = [];
      try {
        qr = (await this.#qr.terminal(qrSubject)).split('\n').filter((row) => row !== '');
      } catch {
        // Logged by #logIdentity; the text lines still go out.
      }
      for (const line of ['', ...head, ...qr, ...tail]) await link.writeLine(line);
    });
  }

  /** Runs `write` on the open link, after what is queued; drops it while the console is down. */
  #enqueue(write: (link: SerialLink) => Promise<void>): void {
    this.#queue = this.#queue.then(async () => {
      const link = this.#link;
      if (link === undefined || this.#closed) return;
      try {
        await this.#withTimeout(write(link));
      } catch (error) {
        this.#lost(link, error);
      }
    });
  }

  #withTimeout(write: Promise<void>): Promise<void> {
    const ms = this.#options.writeTimeoutMs ?? 10_000;
    return new Promise<void>((resolve, reject) => {
      const handle = this.#timer.set(() => reject(new Error(`a write did not complete within ${ms} ms`)), ms);
      write.then(
        () => {
          this.#timer.clear(handle);
          resolve();
        },
        (error: unknown) => {
          this.#timer.clear(handle);
          reject(error);
        },
      );
    });
  }

  #ensureOpen(): Promise<void> {
    if (this.#closed || this.#link !== undefined) return Promise.resolve();
    if (this.#opening !== undefined) return this.#opening;
    if (this.#retryHandle !== undefined) return Promise.resolve();
    this.#opening = this.#tryOpen().finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  async #tryOpen(): Promise<void> {
    const { path, baudRate, logger } = this.#options;
    let link: SerialLink;
    try {
      link = await this.#open(path, baudRate);
    } catch (error) {
      this.#problem(`serial console ${path} unavailable: ${describe(error)}`);
      this.#scheduleRetry();
      return;
    }
    if (this.#closed) {
      await link.close().catch(() => undefined);
      return;
    }
    this.#link = link;
    this.#retryMs = this.#options.retryInitialMs ?? 2_000;
    this.#lastProblem = undefined;
    logger.log('info', `serial console ${path} open`, { event: 'console', path, baud: baudRate });
    link.onClose((error) => {
      if (this.#link === link) this.#lost(link, error ?? new Error('closed'));
    });
    link.onLine((line) => {
      // Enter on an empty line: print the block again (a cable plugged in after boot).
      if (line.trim() === '') this.#enqueueBlock();
    });
    this.#enqueueBlock();
  }

  #lost(link: SerialLink, error: unknown): void {
    if (this.#link !== link) return;
    this.#link = undefined;
    void link.close().catch(() => undefined);
    if (this.#closed) return;
    this.#problem(`serial console ${this.#options.path} failed: ${describe(error)}`);
    this.#scheduleRetry();
  }

  #problem(message: string): void {
    const repeated = message === this.#lastProblem;
    this.#lastProblem = message;
    this.#options.logger.log(repeated ? 'debug' : 'warn', `${message}; retrying in ${this.#retryMs} ms`, {
      event: 'console',
      path: this.#options.path,
    });
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retryHandle !== undefined) return;
    const wait = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, this.#options.retryMaxMs ?? 60_000);
    this.#retryHandle = this.#timer.set(() => {
      this.#retryHandle = undefined;
      void this.#ensureOpen();
    }, wait);
  }
}
