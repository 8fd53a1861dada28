/**
 * @module agent/fakes/memory-ports
 * In-memory implementations of the agent's storage and output ports, one per test: the
 * state store (JSON round trip, so a test sees exactly what a file would hold), the
 * preconfiguration file, the confirmation inbox, and recording logger and announcer.
 */
import type { AgentState } from '../agent-state.js';
import type { AgentStatus } from '../agent-status.js';
import type {
  Announcement,
  Announcer,
  ConfirmationInbox,
  LogFields,
  LogLevel,
  Logger,
  PreconfigurationFile,
  StateStore,
} from '../ports.js';

export class MemoryStateStore implements StateStore {
  readonly location = 'memory';
  /** The last saved state, as JSON text. */
  text: string | undefined;
  statusText: string | undefined;
  saves = 0;
  /** Set to make the next save throw (a full disk). */
  failNextSave: Error | undefined;

  async load(): Promise<AgentState | undefined> {
    return this.text === undefined ? undefined : (JSON.parse(this.text) as AgentState);
  }
  async save(state: AgentState): Promise<void> {
    if (this.failNextSave !== undefined) {
      const error = this.failNextSave;
      this.failNextSave = undefined;
      throw error;
    }
    this.text = JSON.stringify(state);
    this.saves += 1;
  }
  async saveStatus(status: AgentStatus): Promise<void> {
    this.statusText = JSON.stringify(status);
  }
  get status(): AgentStatus | undefined {
    return this.statusText === undefined ? undefined : (JSON.parse(this.statusText) as AgentStatus);
  }
}

export class MemoryPreconfigurationFile implements PreconfigurationFile {
  bytes: Uint8Array | undefined;
  replaced = 0;
  constructor(
    readonly path: string,
    text?: string,
  ) {
    this.bytes = text === undefined ? undefined : new TextEncoder().encode(text);
  }
  get text(): string | undefined {
    return this.bytes === undefined ? undefined : new TextDecoder().decode(this.bytes);
  }
  async read(): Promise<Uint8Array | undefined> {
    return this.bytes?.slice();
  }
  async replace(text: string): Promise<void> {
    this.bytes = new TextEncoder().encode(text);
    this.replaced += 1;
  }
}

export class MemoryConfirmationInbox implements ConfirmationInbox {
  readonly codes: string[] = [];
  async take(): Promise<string[]> {
    return this.codes.splice(0);
  }
}

export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields;
}

export class RecordingLogger implements Logger {
  readonly lines: LogLine[] = [];
  log(level: LogLevel, message: string, fields: LogFields = {}): void {
    this.lines.push({ level, message, fields });
  }
  text(): string {
    return this.lines.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.fields)}`).join('\n');
  }
}

export class RecordingAnnouncer implements Announcer {
  readonly announcements: Announcement[] = [];
  announce(announcement: Announcement): void {
    this.announcements.push(announcement);
  }
  of<K extends Announcement['kind']>(kind: K): Extract<Announcement, { kind: K }>[] {
    return this.announcements.filter((a): a is Extract<Announcement, { kind: K }> => a.kind === kind);
  }
}
