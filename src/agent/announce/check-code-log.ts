/**
 * @module agent/announce/check-code-log
 * The log line that pairs each pending witness with its check code, so whoever
 * reads the journal sees what the LED blinks and what `mesh device pending` prints:
 * `info: SHOW check-code <dddd> for <account> event=check-code account=<account> witness=<witness>`.
 * Logged once per witness, when it first appears in a saved status (boot included).
 */
import type { AgentStatus } from '../agent-status.js';
import type { Logger } from '../ports.js';
import { deviceDisplay } from './device-display.js';
import type { StatusDisplay } from './status-display.js';

export class CheckCodeLog implements StatusDisplay {
  readonly #logger: Logger;
  readonly #shown = new Set<string>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  show(status: AgentStatus): void {
    for (const p of deviceDisplay(status).pending) {
      const key = `${p.account}\n${p.witness}`;
      if (this.#shown.has(key)) continue;
      this.#shown.add(key);
      this.#logger.log('info', `SHOW check-code ${p.checkCode} for ${p.account}`, {
        event: 'check-code',
        account: p.account,
        witness: p.witness,
      });
    }
  }

  async close(): Promise<void> {}
}
