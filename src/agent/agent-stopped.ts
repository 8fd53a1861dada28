/**
 * @module agent/agent-stopped
 * How a loop learns the agent is stopping: every wait races the agent's AbortSignal, and the
 * loser is an AgentStopped rejection the loop lets through instead of logging as a fault.
 */

/** The rejection of a wait the agent's stop cut short. */
export class AgentStopped extends Error {
  constructor() {
    super('the agent is stopping');
    this.name = 'AgentStopped';
  }
}

/** Resolves when `promise` does, or rejects with AgentStopped as soon as `signal` aborts. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new AgentStopped());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AgentStopped());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
