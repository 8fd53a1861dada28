/**
 * @module platform/serial/serial-port-link
 * One serial line as text lines: open(path, baud), write a line, hear each
 * received line, close. Shared by the serial console (serial-console.ts) and the serial
 * provisioning protocol, which is why it stays this small.
 *
 * `serialport` (and its native binding) is loaded by a dynamic import on the first open, so
 * an agent with no console and no provisioning port never loads it (the core bundle budget,
 * docs/decisions/0004-lazy-chunks-and-startup-snapshot.md). Received bytes are split on LF (a CR before it is dropped) and decoded
 * as UTF-8 with replacement characters, so line noise at a wrong baud rate arrives as a
 * strange line, never as an exception. A line longer than `maxLineBytes` is cut there: its
 * first `maxLineBytes` bytes are delivered once with `oversized: true` and the rest up to the
 * next LF is dropped, so a peer that never sends LF cannot grow the buffer.
 *
 * Written bytes are bounded: a peer that keeps sending but does not read what comes back
 * would have the replies pile up in this process. Once more than `maxPendingWriteBytes` wait
 * to be handed to the OS, the link closes with SerialLinkError ("the peer is not reading")
 * and its owner reopens the port as after any loss of the line (a slow consumer is cut off,
 * as a server cuts a client whose output buffer overflows). Replies that a peer does not read
 * cannot be delivered anyway; pausing our reads instead is not safe with serialport's poller,
 * which loses a pending "writable" wait when a read re-arms it.
 */
import { MeshError } from '../../crypto/errors.js';

/** The serial device could not be opened, written or closed; the message names the path. */
export class SerialLinkError extends MeshError {
  readonly code = 'ERR_SERIAL_LINK';
}

export interface ReceivedLine {
  /** True when the line was longer than `maxLineBytes` and has been cut. */
  readonly oversized: boolean;
}

export interface SerialLink {
  readonly path: string;
  /** Writes `line` and the line ending; resolves once the bytes are handed to the OS. */
  writeLine(line: string): Promise<void>;
  /** Calls `listener` for every received line (without its line ending); returns an unsubscribe. */
  onLine(listener: (line: string, info: ReceivedLine) => void): () => void;
  /** Calls `listener` once when the line closes: by `close()` (no error) or by the device going away. */
  onClose(listener: (error?: Error) => void): () => void;
  /** Closes the port; safe to call twice. */
  close(): Promise<void>;
}

/** The serialport-backed link, which also says how much written text waits for the OS. */
export interface SerialPortLink extends SerialLink {
  /** Bytes written with writeLine and not yet handed to the OS. */
  readonly pendingWriteBytes: number;
}

export interface SerialLinkOptions {
  /** Written after each line: `\r\n` (default) suits terminals on a raw tty (no onlcr). */
  readonly lineEnding?: string;
  /** Longest accepted line in bytes (default 4096). */
  readonly maxLineBytes?: number;
  /** Written bytes not yet handed to the OS above which the link closes (default 1 MiB). */
  readonly maxPendingWriteBytes?: number;
  /**
   * Whether `writeLine` waits until the line is transmitted (tcdrain), not only handed to the
   * OS (default true: the console's stall detection relies on it, and both agent ports use
   * it). tcdrain holds a libuv worker thread until the peer reads; false resolves once the OS
   * has the bytes, but then a write that meets a full tty buffer waits on serialport's poller,
   * whose pending "writable" wait a concurrent read can re-arm away (seen on ptys), so the
   * agent keeps the default.
   */
  readonly drainEachLine?: boolean;
  /**
   * Closes the link when written lines wait this long with none of them handed on (default:
   * never). A peer that stopped reading is cut off even below `maxPendingWriteBytes`, and so
   * is a write that serialport's poller forgot (see `drainEachLine`): reopening the port is
   * what makes the line work again.
   */
  readonly stallTimeoutMs?: number;
}

const LF = 0x0a;
const CR = 0x0d;

/** Splits bytes into lines as the module comment says; exported for the provisioning fuzz tests. */
export class LineSplitter {
  readonly #max: number;
  readonly #emit: (line: string, info: ReceivedLine) => void;
  readonly #decoder = new TextDecoder('utf-8', { fatal: false });
  #chunks: Uint8Array[] = [];
  #length = 0;
  #discarding = false;

  constructor(maxLineBytes: number, emit: (line: string, info: ReceivedLine) => void) {
    this.#max = maxLineBytes;
    this.#emit = emit;
  }

  push(data: Uint8Array): void {
    let start = 0;
    for (let i = 0; i < data.length; i++) {
      if (data[i] !== LF) continue;
      this.#append(data.subarray(start, i));
      this.#finishLine();
      start = i + 1;
    }
    this.#append(data.subarray(start));
  }

  #append(part: Uint8Array): void {
    if (this.#discarding || part.length === 0) return;
    const room = this.#max - this.#length;
    if (part.length <= room) {
      this.#chunks.push(part.slice());
      this.#length += part.length;
      return;
    }
    this.#chunks.push(part.slice(0, room));
    this.#length += room;
    this.#deliver(true);
    this.#discarding = true;
  }

  #finishLine(): void {
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    this.#deliver(false);
  }

  #deliver(oversized: boolean): void {
    const bytes = new Uint8Array(this.#length);
    let offset = 0;
    for (const c of this.#chunks) {
      bytes.set(c, offset);
      offset += c.length;
    }
    this.#chunks = [];
    this.#length = 0;
    const end = !oversized && bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    this.#emit(this.#decoder.decode(bytes.subarray(0, end)), { oversized });
  }
}

type SerialPortModule = typeof import('serialport');
let serialportModule: Promise<SerialPortModule> | undefined;

/** The `serialport` package, loaded once, on first use. */
function loadSerialPort(): Promise<SerialPortModule> {
  serialportModule ??= import('serialport');
  return serialportModule;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Opens `path` at `baudRate` (8N1, no flow control, exclusive).
 * @throws SerialLinkError when serialport cannot be loaded or the device cannot be opened
 */
export async function openSerialPortLink(
  path: string,
  baudRate: number,
  options: SerialLinkOptions = {},
): Promise<SerialPortLink> {
  let module: SerialPortModule;
  try {
    module = await loadSerialPort();
  } catch (cause) {
    serialportModule = undefined;
    throw new SerialLinkError(`cannot load the serialport package for "${path}": ${describe(cause)}`, {
      context: { path },
      cause,
    });
  }
  const port = new module.SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((error) => {
      if (error === null) resolve();
      else
        reject(
          new SerialLinkError(`cannot open serial device "${path}" at ${baudRate} baud: ${describe(error)}`, {
            context: { path, baudRate },
            cause: error,
          }),
        );
    });
  });

  const lineEnding = options.lineEnding ?? '\r\n';
  const lineListeners = new Set<(line: string, info: ReceivedLine) => void>();
  const closeListeners = new Set<(error?: Error) => void>();
  let closed = false;
  let closeError: Error | undefined;
  const splitter = new LineSplitter(options.maxLineBytes ?? 4096, (line, info) => {
    for (const l of [...lineListeners]) l(line, info);
  });
  port.on('data', (chunk: Uint8Array) => splitter.push(chunk));
  // Room for the replies to one full read (64 KiB of pipelined requests, each answered with a
  // line of about 140 bytes) several times over, so a technician that pipelines is never cut off.
  const maxPending = options.maxPendingWriteBytes ?? 1024 * 1024;
  const drainEachLine = options.drainEachLine ?? true;
  let pending = 0;
  let stall: ReturnType<typeof setTimeout> | undefined;
  const stallMs = options.stallTimeoutMs;
  /** (Re)arms the stall timer while lines wait; progress on any write restarts it. */
  const watch = (): void => {
    if (stall !== undefined) clearTimeout(stall);
    stall = undefined;
    if (stallMs === undefined || pending === 0 || closed) return;
    stall = setTimeout(() => {
      stall = undefined;
      if (closed || pending === 0) return;
      closeError ??= new SerialLinkError(
        `serial device "${path}": no written line handed on for ${stallMs} ms (${pending} bytes wait); closing the port`,
        {
          context: { path, pending, stallMs },
        },
      );
      port.close(() => undefined);
    }, stallMs);
    stall.unref?.();
  };
  const settled = (bytes: number): void => {
    pending -= bytes;
    watch();
  };
  port.on('error', (error: Error) => {
    closeError ??= new SerialLinkError(`serial device "${path}": ${describe(error)}`, {
      context: { path },
      cause: error,
    });
  });
  port.on('close', (error?: Error | null) => {
    if (closed) return;
    closed = true;
    if (stall !== undefined) clearTimeout(stall);
    const why = error ?? closeError;
    const reported =
      why === undefined
        ? undefined
        : why instanceof SerialLinkError
          ? why
          : new SerialLinkError(`serial device "${path}" closed: ${describe(why)}`, { context: { path }, cause: why });
    for (const l of [...closeListeners]) l(reported);
  });

  return {
    path,
    get pendingWriteBytes(): number {
      return pending;
    },
    writeLine(line: string): Promise<void> {
      if (closed || !port.isOpen)
        return Promise.reject(new SerialLinkError(`serial device "${path}" is closed`, { context: { path } }));
      const data = Buffer.from(line + lineEnding, 'utf8');
      if (pending + data.length > maxPending) {
        // The close event reports this cause; the line is not written.
        closeError ??= new SerialLinkError(
          `serial device "${path}": the peer is not reading (${pending} bytes of written lines wait, limit ${maxPending}); closing the port`,
          { context: { path, pending, limit: maxPending } },
        );
        port.close(() => undefined);
        return Promise.reject(closeError);
      }
      const first = pending === 0;
      pending += data.length;
      // Armed by the first waiting line; later ones wait behind it and do not restart it.
      if (first) watch();
      return new Promise<void>((resolve, reject) => {
        port.write(data, (error) => {
          if (error !== null && error !== undefined) {
            settled(data.length);
            reject(
              new SerialLinkError(`cannot write to serial device "${path}": ${describe(error)}`, {
                context: { path },
                cause: error,
              }),
            );
            return;
          }
          if (!drainEachLine) {
            settled(data.length);
            resolve();
            return;
          }
          port.drain((drainError) => {
            settled(data.length);
            if (drainError === null) resolve();
            else
              reject(
                new SerialLinkError(`cannot write to serial device "${path}": ${describe(drainError)}`, {
                  context: { path },
                  cause: drainError,
                }),
              );
          });
        });
      });
    },
    onLine(listener) {
      lineListeners.add(listener);
      return () => lineListeners.delete(listener);
    },
    onClose(listener) {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close(): Promise<void> {
      if (closed || !port.isOpen) return Promise.resolve();
      return new Promise<void>((resolve) => {
        port.close(() => resolve());
      });
    },
  };
}
