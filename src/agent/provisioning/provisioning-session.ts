/**
 * @module agent/provisioning/provisioning-session
 * The device's end of one serial line: lines in (the serial link splits the bytes on LF,
 * bounds a line at MAX_LINE_BYTES and marks it oversized, and decodes UTF-8 with U+FFFD for
 * bytes that are not), parsed (protocol), handled one request at a time
 * (provisioning-handler), replies out, each a single line. Rules of src/agent/provisioning/README.md enforced here:
 *
 * - garbage, partial lines, wrong-baud noise, invalid UTF-8 (any U+FFFD: a request has no
 *   use for it) and over-long lines each get an error reply (id null when none could be
 *   read) and change nothing; blank lines (Enter on a terminal) are ignored;
 * - error replies to bad input are rate limited (BAD_INPUT_BUCKET): past the budget one
 *   `rate-limited` reply says so, later bad lines are counted and dropped silently, and the
 *   next error reply carries `details.suppressed`;
 * - every well-formed request gets exactly one reply: its result, an error, or `busy`. At most
 *   MAX_QUEUED requests wait; one more is answered `busy` at once (with a retry hint), which
 *   is never rate limited or suppressed, because silence would leave a technician's tool
 *   waiting for a reply that never comes. `busy` is written straight away, never queued
 *   here; a peer that sends but does not read its replies is cut off by the port once they
 *   back up (serial-port-link), and the port is reopened with a fresh session;
 * - replies carry the request's id: answers come in request order, but a `busy` reply can
 *   overtake the answers to requests that were already waiting;
 * - nothing a request does can throw out of `receive`: a failing handler is an `internal`
 *   reply, a failing write is logged (once per session: the line is gone).
 */
import type { Clock } from '../../crypto/clock.js';
import type { Logger } from '../ports.js';
import { TokenBucket } from './rate-limiter.js';
import {
  MAX_LINE_BYTES,
  encodeLine,
  errorReply,
  parseRequestLine,
  type ErrorReply,
  type EventLine,
  type ProvisioningRequest,
  type Reply,
} from './protocol.js';

/** 20 error replies at once, then 5 a second. */
export const BAD_INPUT_BUCKET = { capacity: 20, perSecond: 5 } as const;
export const MAX_QUEUED = 8;
/** The retry hint of a `busy` reply: the waiting requests are answered well within it. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

type Frame =
  | { readonly kind: 'line'; readonly text: string }
  | { readonly kind: 'bad-encoding'; readonly bytes: number }
  | { readonly kind: 'too-long' };

export interface SessionOptions {
  readonly handle: (request: ProvisioningRequest) => Promise<Reply>;
  /** Writes one line; the session adds nothing (the port adds the LF). */
  readonly write: (line: string) => void | Promise<void>;
  readonly hello: () => EventLine;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class ProvisioningSession {
  readonly #options: SessionOptions;
  readonly #bucket: TokenBucket;
  readonly #queue: ProvisioningRequest[] = [];
  #working: Promise<void> | undefined;
  #suppressed = 0;
  #announcedLimit = false;
  /** Counters for tests and the log. */
  readonly counts = { requests: 0, badInput: 0, suppressed: 0, busy: 0, writeFailures: 0 };

  constructor(options: SessionOptions) {
    this.#options = options;
    this.#bucket = new TokenBucket(options.clock, BAD_INPUT_BUCKET.capacity, BAD_INPUT_BUCKET.perSecond);
  }

  /** The banner line, written when the port opens. */
  open(): void {
    this.#send(this.#options.hello());
  }

  /** One received line, without its line ending. */
  receiveLine(text: string, oversized = false): void {
    try {
      if (oversized) this.#frame({ kind: 'too-long' });
      else if (text.includes('\uFFFD'))
        this.#frame({ kind: 'bad-encoding', bytes: new TextEncoder().encode(text).length });
      else if (text.trim() !== '') this.#frame({ kind: 'line', text });
    } catch (error) {
      this.#options.logger.log('error', `serial: a line could not be handled: ${String(error)}`);
    }
  }

  /** Resolves when every queued request has been answered. */
  async idle(): Promise<void> {
    while (this.#working !== undefined) await this.#working;
  }

  #frame(frame: Frame): void {
    switch (frame.kind) {
      case 'bad-encoding':
        this.#bad(
          errorReply(null, 'bad-encoding', `the line is not UTF-8 (about ${frame.bytes} bytes): check the baud rate`),
        );
        return;
      case 'too-long':
        this.#bad(
          errorReply(
            null,
            'line-too-long',
            `the line is longer than ${MAX_LINE_BYTES} bytes; discarded up to the next newline`,
          ),
        );
        return;
      case 'line': {
        const parsed = parseRequestLine(frame.text);
        if (parsed.kind === 'error') {
          this.#bad(parsed.reply);
          return;
        }
        if (this.#queue.length >= MAX_QUEUED) {
          // An answer, not bad input: never suppressed by the bad-input budget.
          this.counts.busy += 1;
          this.#send(
            errorReply(
              parsed.request.id,
              'busy',
              `${MAX_QUEUED} requests are waiting; send this one again once they are answered`,
              {
                waiting: MAX_QUEUED,
                retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS,
              },
            ),
          );
          return;
        }
        this.#queue.push(parsed.request);
        this.#pump();
      }
    }
  }

  #bad(reply: ErrorReply): void {
    this.counts.badInput += 1;
    if (!this.#bucket.take()) {
      this.#suppressed += 1;
      this.counts.suppressed += 1;
      if (!this.#announcedLimit) {
        this.#announcedLimit = true;
        this.#options.logger.log('warn', 'serial: too much bad input; error replies suppressed for a while', {});
        this.#send(
          errorReply(
            null,
            'rate-limited',
            `too much bad input; further error replies are suppressed for about ${this.#bucket.waitSeconds()} s`,
            { retryAfterSeconds: this.#bucket.waitSeconds() },
          ),
        );
      }
      return;
    }
    if (this.#suppressed > 0) {
      this.#options.logger.log('warn', `serial: ${this.#suppressed} bad lines were not answered`, {
        suppressed: this.#suppressed,
      });
      const details = { ...(reply.error.details ?? {}), suppressed: this.#suppressed };
      reply = { ...reply, error: { ...reply.error, details } };
      this.#suppressed = 0;
      this.#announcedLimit = false;
    }
    this.#send(reply);
  }

  #pump(): void {
    if (this.#working !== undefined) return;
    this.#working = (async () => {
      try {
        for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
          this.counts.requests += 1;
          let reply: Reply;
          try {
            reply = await this.#options.handle(next);
          } catch (error) {
            this.#options.logger.log('error', `serial: ${next.cmd} failed: ${String(error)}`, { command: next.cmd });
            reply = errorReply(next.id, 'internal', 'the device failed to run the command');
          }
          this.#send(reply);
        }
      } finally {
        this.#working = undefined;
      }
    })();
  }

  #send(value: Reply | EventLine): void {
    try {
      const written = this.#options.write(encodeLine(value));
      if (written instanceof Promise) written.catch((error: unknown) => this.#writeFailed(error));
    } catch (error) {
      this.#writeFailed(error);
    }
  }

  /** Logged once per session: a line that is gone fails every later write the same way. */
  #writeFailed(error: unknown): void {
    this.counts.writeFailures += 1;
    if (this.counts.writeFailures === 1) this.#options.logger.log('warn', `serial: write failed: ${String(error)}`);
  }
}
