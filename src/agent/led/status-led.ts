/**
 * @module agent/led/status-led
 * The status LED as a display of the agent's status (announce/status-display): each saved
 * status is summed up in one LedState (announce/device-display) and the pattern of that state
 * (led-pattern) is played; a status that sums up the same leaves the pattern running, so a
 * check code is never cut short by an unrelated save.
 */
import type { AgentStatus } from '../agent-status.js';
import { deviceDisplay } from '../announce/device-display.js';
import type { StatusDisplay } from '../announce/status-display.js';
import { patternFor, sameLedState, type LedState } from './led-pattern.js';
import type { LedPlayer } from './led-player.js';

export class StatusLed implements StatusDisplay {
  readonly #player: LedPlayer;
  #state: LedState | undefined;

  constructor(player: LedPlayer) {
    this.#player = player;
  }

  get state(): LedState | undefined {
    return this.#state;
  }

  show(status: AgentStatus): void {
    this.showState(deviceDisplay(status).led);
  }

  showState(state: LedState): void {
    if (this.#state !== undefined && sameLedState(this.#state, state)) return;
    this.#state = state;
    this.#player.play(patternFor(state));
  }

  async close(): Promise<void> {
    this.#player.close();
  }
}
