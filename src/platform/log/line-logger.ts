/**
 * @module platform/log/line-logger
 * The agent's Logger and Announcer: one line per event on standard output, for journald
 * (`text`: `level: message key=value …`, journald adds the time) or log shippers (`json`:
 * one object per line with `time`). Field names that could carry key material (seed, pin,
 * secret, private) are dropped outright as a second line of defence; the agent never
 * passes such values in the first place (docs/decisions/0002-seed-based-secret-store.md).
 */
import type { Announcement, Announcer, LogFields, LogLevel, Logger } from '../../agent/ports.js';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const FORBIDDEN_FIELD = /seed|pin$|^pin|secret|private|password/i;

export interface LineLoggerOptions {
  readonly level: LogLevel;
  readonly format: 'text' | 'json';
  readonly write: (line: string) => void;
  readonly now?: () => Date;
}

function quote(value: string): string {
  return /^[^\s"=]*$/.test(value) && value !== '' ? value : JSON.stringify(value);
}

export class LineLogger implements Logger {
  readonly #options: LineLoggerOptions;

  constructor(options: LineLoggerOptions) {
    this.#options = options;
  }

  log(level: LogLevel, message: string, fields: LogFields = {}): void {
    if (RANK[level] > RANK[this.#options.level]) return;
    const safe = Object.entries(fields).filter(([k, v]) => v !== undefined && !FORBIDDEN_FIELD.test(k)) as [
      string,
      string | number | boolean,
    ][];
    if (this.#options.format === 'json') {
      const time = (this.#options.now ?? (() => new Date()))().toISOString();
      this.#options.write(JSON.stringify({ time, level, msg: message, ...Object.fromEntries(safe) }));
      return;
    }
    const tail = safe.map(([k, v]) => `${k}=${quote(String(v))}`).join(' ');
    this.#options.write(`${level}: ${message}${tail === '' ? '' : ` ${tail}`}`.replace(/[\r\n]+/g, ' '));
  }
}

/** Today's Display: the log. The LED and serial console announcers come with the next issue. */
export class LogAnnouncer implements Announcer {
  constructor(readonly logger: Logger) {}

  announce(a: Announcement): void {
    switch (a.kind) {
      case 'fingerprint':
        this.logger.log('info', `SHOW fingerprint ${a.deviceUdf}`, { event: a.kind, mode: a.mode });
        return;
      case 'connect-uri':
        this.logger.log('info', `SHOW connect-uri ${a.connectUri}`, { event: a.kind });
        return;
      case 'witness':
        this.logger.log('info', `SHOW witness ${a.witness} for ${a.account}`, {
          event: a.kind,
          account: a.account,
          device: a.deviceUdf,
        });
        return;
      case 'connected':
      case 'rejected':
      case 'revoked':
      case 'expired':
        this.logger.log('info', `SHOW ${a.kind} ${a.account}`, { event: a.kind, account: a.account });
        return;
      case 'claim-held':
        this.logger.log(
          'warn',
          `SHOW claim-held ${a.claimant} awaiting ${a.policy}${a.code === undefined ? '' : ` code ${a.code}`}`,
          {
            event: a.kind,
            claimant: a.claimant,
            ...(a.code === undefined ? {} : { code: a.code }),
          },
        );
        return;
      case 'claim-refused':
        this.logger.log('warn', `SHOW claim-refused ${a.claimant}: ${a.reason}`, {
          event: a.kind,
          claimant: a.claimant,
        });
        return;
    }
  }
}
