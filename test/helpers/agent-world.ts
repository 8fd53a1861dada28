/**
 * @module test/helpers/agent-world
 * A device agent on fakes, for the unit tests of the state machine: a FakeMeshService with
 * owners on one or more services, a FakeClock, pinned randomness, a memory keystore and
 * state store that outlive one Agent so a test can "restart" the device.
 */
import { Agent, type AgentDeps } from '../../src/agent/agent.js';
import type { AgentSettings, ClaimSettings, OwnerSettings } from '../../src/agent/agent-runtime.js';
import { FakeClock } from '../../src/agent/fakes/fake-clock.js';
import { pinnedJitterRandom } from '../../src/agent/fakes/fake-random.js';
import { FakeMeshService } from '../../src/agent/fakes/fake-mesh-service.js';
import {
  MemoryConfirmationInbox,
  type MemoryPreconfigurationFile,
  MemoryStateStore,
  RecordingAnnouncer,
  RecordingLogger,
} from '../../src/agent/fakes/memory-ports.js';
import type { RandomSource } from '../../src/crypto/random.js';
import type { RetryScheduleOptions } from '../../src/agent/retry-schedule.js';
import { MemorySecretStore, MemorySecretStoreBackend } from '../../src/agent/fakes/memory-secret-store.js';

export const SERVICE_A = 'https://mesh.example.com/';
export const SERVICE_B = 'https://mesh.example.net/';

export const FAST_POLLING: RetryScheduleOptions = {
  initialDelayMs: 1_000,
  maxDelayMs: 8_000,
  factor: 2,
  jitter: 0.25,
  honorRetryAfter: true,
};

export class AgentWorld {
  readonly mesh = new FakeMeshService(7);
  readonly clock = new FakeClock();
  random: RandomSource = pinnedJitterRandom(0x00);
  readonly backend = new MemorySecretStoreBackend();
  readonly secrets = new MemorySecretStore(this.backend);
  readonly stateStore = new MemoryStateStore();
  readonly logger = new RecordingLogger();
  readonly announcer = new RecordingAnnouncer();
  readonly confirmations = new MemoryConfirmationInbox();
  preconfiguration: MemoryPreconfigurationFile | undefined;
  owners: OwnerSettings[] = [];
  claims: ClaimSettings | undefined;
  polling: RetryScheduleOptions = FAST_POLLING;

  agent: Agent | undefined;
  #controller: AbortController | undefined;
  #running: Promise<void> | undefined;

  deps(): AgentDeps {
    return {
      clock: this.clock,
      random: this.random,
      logger: this.logger,
      announcer: this.announcer,
      transport: this.mesh,
      secrets: this.secrets,
      stateStore: this.stateStore,
      ...(this.preconfiguration === undefined ? {} : { preconfiguration: this.preconfiguration }),
      confirmations: this.confirmations,
    };
  }

  settings(): AgentSettings {
    return {
      owners: this.owners,
      ...(this.claims === undefined ? {} : { claims: this.claims }),
      polling: this.polling,
      confirmationCheckMs: 500,
      version: 'test',
    };
  }

  /** Starts the agent and its loops (without advancing time). */
  async start(): Promise<Agent> {
    this.agent = await Agent.start(this.deps(), this.settings());
    this.#controller = new AbortController();
    this.#running = this.agent.run(this.#controller.signal);
    return this.agent;
  }

  /** Stops the loops and waits for the final save. */
  async stop(): Promise<void> {
    this.#controller?.abort();
    await this.#running;
    this.#running = undefined;
  }

  /** Advances fake time in steps until `done()` holds (or fails after `limitMs`). */
  async until(done: () => boolean, limitMs = 600_000): Promise<void> {
    let spent = 0;
    let steps = 0;
    while (!done()) {
      if (spent > limitMs || ++steps > 2_000)
        throw new Error(`condition not reached within ${limitMs} ms of fake time (${steps} steps)`);
      spent += await this.clock.next();
      if (this.clock.sleeping === 0) await this.clock.advance(1);
    }
  }

  owner(account: string) {
    const state = this.agent?.state();
    return state?.owners[account.toLowerCase()];
  }
}
