/**
 * @module agent/announce/status-display
 * The device's own displays (status LED, serial console) follow the status snapshot the agent
 * saves after every change. `ObservedStateStore` wraps the real StateStore in the composition
 * root and hands each saved snapshot to the displays, after it is on disk, so what the LED and
 * the console show is what `mesh-agent status` reads. A display that throws is reported and
 * never fails the save.
 */
import type { AgentState } from '../agent-state.js';
import type { AgentStatus } from '../agent-status.js';
import type { StateStore } from '../ports.js';

export interface StatusDisplay {
  /** Called with every saved status; a display redraws only when what it shows changed. */
  show(status: AgentStatus): void;
  /** Leaves the display in its stopped state and releases the device. */
  close(): Promise<void>;
}

export class ObservedStateStore implements StateStore {
  readonly #inner: StateStore;
  readonly #displays: readonly StatusDisplay[];
  readonly #onError: (error: unknown) => void;

  constructor(
    inner: StateStore,
    displays: readonly StatusDisplay[],
    onError: (error: unknown) => void = () => undefined,
  ) {
    this.#inner = inner;
    this.#displays = displays;
    this.#onError = onError;
  }

  get location(): string {
    return this.#inner.location;
  }

  load(): Promise<AgentState | undefined> {
    return this.#inner.load();
  }

  save(state: AgentState): Promise<void> {
    return this.#inner.save(state);
  }

  async saveStatus(status: AgentStatus): Promise<void> {
    await this.#inner.saveStatus(status);
    for (const display of this.#displays) {
      try {
        display.show(status);
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}
