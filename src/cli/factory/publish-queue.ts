/**
 * @module cli/factory/publish-queue
 * Publishing a batch's CatalogedPublications to the maker's service (docs/service-protocol.md
 * Publish): one signed Publish per device, as the protocol has
 * it, but several in flight at once over the client's kept-alive connections so the
 * batch is bound by key derivation rather than round trips. A transient failure (the
 * service unreachable or timing out, 5xx, 429) is retried with capped exponential backoff
 * and jitter, honouring RetryAfter; anything else is the service refusing, which stops the
 * queue and is reported with the service's reason.
 */
import type { RandomSource } from '../../crypto/random.js';
import type { CatalogedPublication } from '../../mesh/objects/cataloged-publication.js';
import { RetrySchedule, type RetryScheduleOptions } from '../../agent/retry-schedule.js';
import {
  ProtocolError,
  ServiceFaultError,
  ServiceUnavailableError,
  TooManyRequestsError,
} from '../../platform/http/http-errors.js';

export const DEFAULT_PUBLISH_CONCURRENCY = 8;
export const DEFAULT_PUBLISH_ATTEMPTS = 6;
export const DEFAULT_PUBLISH_RETRY: RetryScheduleOptions = {
  initialDelayMs: 250,
  maxDelayMs: 8_000,
  factor: 2,
  jitter: 0.25,
  honorRetryAfter: true,
};

/** Whether trying the same Publish again later may succeed. */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof ServiceUnavailableError ||
    error instanceof ServiceFaultError ||
    error instanceof TooManyRequestsError
  );
}

export interface PublishQueueOptions {
  readonly publish: (publication: CatalogedPublication) => Promise<unknown>;
  readonly onPublished: (index: number) => Promise<void>;
  readonly random: RandomSource;
  readonly concurrency?: number;
  readonly attempts?: number;
  readonly retry?: RetryScheduleOptions;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told of each retry (for the progress line). */
  readonly onRetry?: (index: number, attempt: number, delayMs: number, error: Error) => void;
}

export class PublishQueue {
  readonly #options: PublishQueueOptions;
  readonly #running = new Set<Promise<void>>();
  readonly #waiters: Array<() => void> = [];
  #failure: Error | undefined;
  retries = 0;

  constructor(options: PublishQueueOptions) {
    this.#options = options;
  }

  /** The error that stopped the queue, if one did. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Starts publishing device `index`, once fewer than `concurrency` are in flight. */
  async submit(index: number, publication: CatalogedPublication): Promise<void> {
    const limit = this.#options.concurrency ?? DEFAULT_PUBLISH_CONCURRENCY;
    while (this.#running.size >= limit && this.#failure === undefined)
      await new Promise<void>((wake) => this.#waiters.push(wake));
    if (this.#failure !== undefined) return;
    const task = this.#publish(index, publication).finally(() => {
      this.#running.delete(task);
      this.#waiters.shift()?.();
    });
    this.#running.add(task);
  }

  /** Waits for every publish started; throws the error that stopped the queue, if any. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
    if (this.#failure !== undefined) throw this.#failure;
  }

  async #publish(index: number, publication: CatalogedPublication): Promise<void> {
    const o = this.#options;
    const schedule = new RetrySchedule(o.retry ?? DEFAULT_PUBLISH_RETRY, o.random);
    const attempts = o.attempts ?? DEFAULT_PUBLISH_ATTEMPTS;
    const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let attempt = 1; ; attempt++) {
      if (this.#failure !== undefined) return;
      try {
        await o.publish(publication);
        await o.onPublished(index);
        return;
      } catch (error) {
        if (!isTransient(error) || attempt >= attempts) {
          this.#failure ??= error as Error;
          for (const wake of this.#waiters.splice(0)) wake();
          return;
        }
        const delay = schedule.next(error instanceof ProtocolError ? error.retryAfter : undefined);
        this.retries++;
        o.onRetry?.(index, attempt, delay, error as Error);
        await sleep(delay);
      }
    }
  }
}
