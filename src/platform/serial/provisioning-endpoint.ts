/**
 * @module platform/serial/provisioning-endpoint
 * The device's serial provisioning port (`serial.provisioning`, e.g. `/dev/ttyGS0` for a USB
 * gadget or `/dev/serial0` for the UART): opens it through the shared serial link, writes
 * the protocol's hello line, and feeds every received line to a ProvisioningSession
 * (agent/provisioning). A port that is absent, cannot be opened or goes away is logged (a
 * warning when the cause changes) and reopened with backoff, 2 s doubling to 60 s; each
 * reopening starts a fresh session (new hello, nothing queued carried over). Nothing here
 * throws into the agent.
 */
import type { Logger } from '../../agent/ports.js';
import type { ProvisioningSession } from '../../agent/provisioning/provisioning-session.js';
import { openSerialPortLink, type SerialLink } from './serial-port-link.js';
import { MAX_LINE_BYTES } from '../../agent/provisioning/protocol.js';

export interface ProvisioningEndpointOptions {
  readonly path: string;
  readonly baudRate: number;
  readonly logger: Logger;
  /** A session writing through `write`; called at each (re)open. */
  readonly session: (write: (line: string) => Promise<void>) => ProvisioningSession;
  /** Tests inject a fake link; the default opens the device with serialport. */
  readonly open?: (path: string, baudRate: number) => Promise<SerialLink>;
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ProvisioningEndpoint {
  readonly #options: ProvisioningEndpointOptions;
  readonly #open: (path: string, baudRate: number) => Promise<SerialLink>;
  #link: SerialLink | undefined;
  #session: ProvisioningSession | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #retryMs: number;
  #lastProblem: string | undefined;
  #closed = false;

  constructor(options: ProvisioningEndpointOptions) {
    this.#options = options;
    // A reply line no peer takes for 10 s (like the console's stall rule) closes the port, and
    // it is reopened: a technician's tool reads what it asked for within that.
    this.#open =
      options.open ??
      ((path, baud) => openSerialPortLink(path, baud, { maxLineBytes: MAX_LINE_BYTES, stallTimeoutMs: 10_000 }));
    this.#retryMs = options.retryInitialMs ?? 2_000;
  }

  get path(): string {
    return this.#options.path;
  }

  /** The session of the open port (tests). */
  get session(): ProvisioningSession | undefined {
    return this.#session;
  }

  /** Opens the port; never rejects (a failure is logged and retried). */
  async start(): Promise<void> {
    if (this.#closed || this.#link !== undefined) return;
    const { path, baudRate, logger } = this.#options;
    let link: SerialLink;
    try {
      link = await this.#open(path, baudRate);
    } catch (error) {
      this.#problem(`serial provisioning: cannot open ${path}: ${describe(error)}; retrying`);
      this.#scheduleRetry();
      return;
    }
    if (this.#closed) {
      await link.close().catch(() => undefined);
      return;
    }
    this.#link = link;
    this.#lastProblem = undefined;
    this.#retryMs = this.#options.retryInitialMs ?? 2_000;
    const session = this.#options.session((line) => link.writeLine(line));
    this.#session = session;
    link.onLine((line, info) => session.receiveLine(line, info.oversized));
    link.onClose((error) => {
      if (this.#link !== link) return;
      this.#link = undefined;
      this.#session = undefined;
      if (this.#closed) return;
      this.#problem(
        `serial provisioning: ${path} closed${error === undefined ? '' : `: ${describe(error)}`}; reopening`,
      );
      this.#scheduleRetry();
    });
    logger.log('info', `serial provisioning listening on ${path} at ${baudRate} baud`, { path, baudRate });
    session.open();
  }

  #problem(message: string): void {
    const level = message === this.#lastProblem ? 'debug' : 'warn';
    this.#lastProblem = message;
    this.#options.logger.log(level, message, { path: this.#options.path });
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retry !== undefined) return;
    const wait = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, this.#options.retryMaxMs ?? 60_000);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.start();
    }, wait);
    this.#retry.unref?.();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
    await this.#session?.idle().catch(() => undefined);
    const link = this.#link;
    this.#link = undefined;
    this.#session = undefined;
    await link?.close().catch(() => undefined);
  }
}
