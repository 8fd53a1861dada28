/**
 * @module cli/console/pending-feed
 * Pending requests pushed to the open pages as server-sent events: the page never polls,
 * the console does, and only while a page is listening. It asks the service (`mesh device
 * pending`) at `minMs`, doubling the wait each time nothing changed up to `maxMs`, and
 * back to `minMs` as soon as something did, a page connects or an action ran; a failure
 * waits `maxMs` and is pushed to the pages too, so they say the service is unreachable
 * rather than show a stale list as current.
 */
import type { ServerResponse } from 'node:http';
import type { JsonValue } from '../../mesh/encoding/json-value.js';
import { ActionFailedError, type OwnerActions } from './owner-actions.js';

export interface PendingFeedOptions {
  readonly minMs: number;
  readonly maxMs: number;
}

/** A comment line every so often keeps proxies and the browser from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

export class PendingFeed {
  readonly #actions: OwnerActions;
  readonly #options: PendingFeedOptions;
  readonly #clients = new Set<ServerResponse>();
  #last: string | undefined;
  #delay: number;
  #timer: NodeJS.Timeout | undefined;
  #keepalive: NodeJS.Timeout | undefined;
  #polling = false;
  #again = false;
  #closed = false;

  constructor(actions: OwnerActions, options: PendingFeedOptions) {
    this.#actions = actions;
    this.#options = options;
    this.#delay = options.minMs;
  }

  /** Starts an event stream on `res`; it gets the latest list at once, then every change. */
  attach(res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    this.#clients.add(res);
    res.on('close', () => {
      this.#clients.delete(res);
      if (this.#clients.size === 0) this.#stop();
    });
    if (this.#last !== undefined) res.write(this.#last);
    this.#keepalive ??= setInterval(() => {
      for (const c of this.#clients) c.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    this.kick();
  }

  /** Polls now (after an action, or for a new page), and from `minMs` again. */
  kick(): void {
    if (this.#closed || this.#clients.size === 0) return;
    this.#delay = this.#options.minMs;
    if (this.#polling) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    void this.#poll();
  }

  close(): void {
    this.#closed = true;
    this.#stop();
    for (const c of this.#clients) c.end();
    this.#clients.clear();
  }

  #stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    clearInterval(this.#keepalive);
    this.#keepalive = undefined;
  }

  async #poll(): Promise<void> {
    this.#polling = true;
    let event: string;
    let changed: boolean;
    try {
      const listed = (await this.#actions.run('pending')) as { [key: string]: JsonValue };
      event = `event: pending\ndata: ${JSON.stringify({ pending: listed['pending'] ?? [], checked: new Date().toISOString() })}\n\n`;
      changed = event.replace(/"checked":"[^"]*"/, '') !== this.#last?.replace(/"checked":"[^"]*"/, '');
      this.#delay = changed ? this.#options.minMs : Math.min(this.#delay * 2, this.#options.maxMs);
    } catch (error) {
      const message = error instanceof ActionFailedError ? error.message : 'mesh device pending failed';
      event = `event: pending-error\ndata: ${JSON.stringify({ message, checked: new Date().toISOString() })}\n\n`;
      changed = true;
      this.#delay = this.#options.maxMs;
    }
    this.#polling = false;
    if (this.#closed) return;
    if (changed) {
      this.#last = event;
      for (const c of this.#clients) c.write(event);
    }
    if (this.#clients.size === 0) return;
    if (this.#again) {
      this.#again = false;
      this.#delay = this.#options.minMs;
      void this.#poll();
      return;
    }
    this.#timer = setTimeout(() => void this.#poll(), this.#delay);
  }
}
