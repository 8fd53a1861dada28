/**
 * @module agent/agent
 * The device agent: at start it establishes the device identity (first-boot), re-derives
 * its state from the state file, the configuration and the keystore, and persists the
 * result; `run` then drives one OwnerConnection per owner and, on a claimable device, the
 * ClaimWatcher, until the signal aborts. Every change is saved before the loops go on
 * (AgentRuntime.update), and the status snapshot is refreshed with it.
 *
 * Re-derivation at start (docs/decisions/0011-crash-safe-persistence.md):
 * - owners[] of the configuration missing from the state start as `new`; a configured
 *   owner dropped from the configuration is forgotten if it was only asking (`new` or
 *   `pending`), kept if connected (its activation is real until the owner revokes it);
 * - a `connected` owner whose activation seed is not in the keystore is logged as an error
 *   and asks again (`new`): the state never claims a key the keystore does not hold;
 * - activation seeds in the keystore whose owner is not `connected` are deleted: they are
 *   what a crash between the keystore and the state file leaves (owner-connection).
 */
import { DeviceKeyMismatchError } from './agent-errors.js';
import { bootDevice, knownIdentity, type BootedDevice, type KnownIdentity } from './first-boot.js';
import { STATE_FORMAT, activationSecretName, ownerKey, type AgentState, type OwnerRecord } from './agent-state.js';
import { buildStatus, type AgentStatus } from './agent-status.js';
import type { AgentRuntime, AgentSettings } from './agent-runtime.js';
import { describeError } from './describe-error.js';
import { ClaimWatcher } from './claim-watcher.js';
import { OwnerConnection } from './owner-connection.js';
import { PushHub } from './push/push-hub.js';
import type { RetryScheduleOptions } from './retry-schedule.js';
import type { Clock } from '../crypto/clock.js';
import type { RandomSource } from '../crypto/random.js';
import type {
  ApplicationTransport,
  MqttConnector,
  Announcer,
  ConfirmationInbox,
  Logger,
  MeshTransport,
  PreconfigurationFile,
  SecretStore,
  StateStore,
} from './ports.js';

export interface AgentDeps {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly announcer: Announcer;
  readonly transport: MeshTransport;
  readonly secrets: SecretStore;
  readonly stateStore: StateStore;
  /** Factory mode when present. */
  readonly preconfiguration?: PreconfigurationFile;
  readonly confirmations?: ConfirmationInbox;
  /** MQTT when given (the client itself loads only when a broker is used). */
  readonly mqtt?: MqttConnector;
  /** Fetches owners' application entries (ApplicationGet); usually the transport itself. */
  readonly applications?: ApplicationTransport;
}

function reconcileOwners(state: AgentState, settings: AgentSettings, now: string): AgentState {
  const owners: Record<string, OwnerRecord> = { ...state.owners };
  const configured = new Set(settings.owners.map((o) => ownerKey(o.account)));
  for (const [key, record] of Object.entries(owners)) {
    if (record.origin === 'config' && !configured.has(key) && (record.state === 'new' || record.state === 'pending'))
      delete owners[key];
  }
  for (const owner of settings.owners) {
    const key = ownerKey(owner.account);
    if (owners[key] === undefined)
      owners[key] = { account: owner.account, service: owner.service, origin: 'config', state: 'new', since: now };
  }
  return { ...state, owners };
}

export class Agent {
  readonly #deps: AgentDeps;
  readonly #settings: AgentSettings;
  readonly #booted: BootedDevice;
  #state: AgentState;
  #saving: Promise<void> = Promise.resolve();
  #running = false;
  #signal: AbortSignal | undefined;
  readonly #loops = new Map<string, Promise<void>>();
  #push: PushHub | undefined;

  private constructor(deps: AgentDeps, settings: AgentSettings, booted: BootedDevice, state: AgentState) {
    this.#deps = deps;
    this.#settings = settings;
    this.#booted = booted;
    this.#state = state;
  }

  /**
   * Boots the device and re-derives the state (module comment); nothing is written if the
   * identity cannot be established.
   * @throws PreconfigurationError, DeviceKeyLostError, DeviceKeyMismatchError, StateCorruptError
   */
  static async start(deps: AgentDeps, settings: AgentSettings): Promise<Agent> {
    const previous = await deps.stateStore.load();
    // Shown before the profile is re-derived from the seed (first-boot KnownIdentity).
    const known = await knownIdentity(previous, deps.preconfiguration);
    if (known !== undefined) announceFingerprint(deps, known);
    const booted = await bootDevice({
      secrets: deps.secrets,
      ...(deps.preconfiguration === undefined ? {} : { preconfiguration: deps.preconfiguration }),
      ...(previous === undefined ? {} : { previous }),
      random: deps.random,
      clock: deps.clock,
      logger: deps.logger,
    });
    if (known !== undefined && known.udf !== booted.device.udf) {
      // bootDevice checks the state and the preconfiguration against the seed, so this
      // cannot happen unless a file changed under a running start; never go on from it.
      throw new DeviceKeyMismatchError(
        `the fingerprint shown at start (${known.udf}, from the ${known.source}) is not the device's (${booted.device.udf}); refusing to go on`,
        { context: { shown: known.udf, device: booted.device.udf } },
      );
    }
    const now = deps.clock.now().toISOString();
    let state: AgentState = previous ?? {
      Format: STATE_FORMAT,
      device: booted.device,
      owners: {},
      claims: { seen: [], held: [] },
      updated: now,
    };
    state = reconcileOwners({ ...state, device: booted.device }, settings, now);
    const agent = new Agent(deps, settings, booted, state);
    await agent.#reconcileKeystore();
    await agent.#save();
    agent.#announceIdentity(known === undefined);
    return agent;
  }

  async #reconcileKeystore(): Promise<void> {
    const { secrets, logger, clock } = this.#deps;
    const names = await secrets.list();
    const owners: Record<string, OwnerRecord> = { ...this.#state.owners };
    const keep = new Set<string>();
    for (const [key, record] of Object.entries(owners)) {
      if (record.state !== 'connected') continue;
      const name = activationSecretName(record.account);
      if (names.includes(name)) {
        keep.add(name);
        continue;
      }
      const message = `the activation seed of ${record.account} is missing from keystore ${secrets.describe()}; asking the owner again`;
      logger.log('error', message, { account: record.account });
      const now = clock.now().toISOString();
      owners[key] = {
        account: record.account,
        service: record.service,
        origin: record.origin,
        state: 'new',
        since: now,
        lastError: { message, at: now },
      };
    }
    for (const name of names) {
      if (name.startsWith('activation/') && !keep.has(name)) {
        await secrets.delete(name);
        logger.log('info', 'removed an activation seed whose owner is not connected (left by an interrupted step)', {
          secret: name,
        });
      }
    }
    this.#state = { ...this.#state, owners };
  }

  /** What the device shows once its identity is proved; the fingerprint unless it was shown already. */
  #announceIdentity(fingerprint: boolean): void {
    const { announcer, logger } = this.#deps;
    const device = this.#state.device;
    if (fingerprint) announceFingerprint(this.#deps, { udf: device.udf, mode: device.mode });
    if (device.connectUri !== undefined) {
      logger.log('info', `connect uri ${device.connectUri}`, { device: device.udf });
      announcer.announce({ kind: 'connect-uri', connectUri: device.connectUri });
    }
    for (const owner of Object.values(this.#state.owners)) {
      if (owner.state === 'pending' && owner.witness !== undefined) {
        logger.log('info', `${owner.account}: still waiting; witness ${owner.witness}`, {
          account: owner.account,
          witness: owner.witness,
        });
        announcer.announce({ kind: 'witness', account: owner.account, witness: owner.witness, deviceUdf: device.udf });
      }
    }
  }

  get booted(): BootedDevice {
    return this.#booted;
  }

  state(): AgentState {
    return this.#state;
  }

  status(): AgentStatus {
    const claims = this.#settings.claims;
    return buildStatus(this.#state, {
      version: this.#settings.version,
      running: this.#running,
      ...(this.#settings.pid === undefined ? {} : { pid: this.#settings.pid }),
      now: this.#deps.clock.now(),
      keystore: { tier: this.#deps.secrets.tier, description: this.#deps.secrets.describe() },
      ...(claims === undefined ? {} : { claims }),
      ...(this.#push === undefined ? {} : { mqtt: this.#push.status() }),
    });
  }

  /** Queues a save of the current state and status; resolves when it is on disk. */
  #save(): Promise<void> {
    const snapshot: AgentState = { ...this.#state, updated: this.#deps.clock.now().toISOString() };
    const status = this.status();
    const next = this.#saving.then(async () => {
      await this.#deps.stateStore.save(snapshot);
      await this.#deps.stateStore.saveStatus(status);
    });
    // A failed save is reported to its caller; the queue goes on for later saves.
    this.#saving = next.catch(() => undefined);
    return next;
  }

  #runtime(): AgentRuntime {
    const deps = this.#deps;
    return {
      clock: deps.clock,
      random: deps.random,
      logger: deps.logger,
      announcer: deps.announcer,
      transport: deps.transport,
      secrets: deps.secrets,
      ...(deps.confirmations === undefined ? {} : { confirmations: deps.confirmations }),
      settings: this.#settings,
      deviceSeed: this.#booted.deviceSeed,
      profile: this.#booted.profile,
      ...(this.#booted.claimSecrets === undefined ? {} : { claimSecrets: this.#booted.claimSecrets }),
      ...(this.#push === undefined ? {} : { push: this.#push }),
      state: () => this.#state,
      update: async (change) => {
        this.#state = change(this.#state);
        await this.#save();
      },
      startOwner: (key) => this.#startOwner(key),
    };
  }

  #startOwner(key: string): void {
    const signal = this.#signal;
    if (signal === undefined || signal.aborted || this.#loops.has(key)) return;
    const loop = new OwnerConnection(this.#runtime(), key)
      .run(signal)
      .catch((error: unknown) =>
        this.#deps.logger.log('error', `${key}: connection loop stopped: ${describeError(error)}`, { account: key }),
      )
      .finally(() => this.#loops.delete(key));
    this.#loops.set(key, loop);
  }

  /** The MQTT side, when the agent was given an MqttConnector. */
  #makePushHub(): PushHub | undefined {
    const deps = this.#deps;
    if (deps.mqtt === undefined) return undefined;
    const claims = this.#settings.claims;
    const applications = deps.applications ?? (isApplicationTransport(deps.transport) ? deps.transport : undefined);
    return new PushHub({
      connector: deps.mqtt,
      ...(applications === undefined ? {} : { transport: applications }),
      secrets: deps.secrets,
      clock: deps.clock,
      random: deps.random,
      logger: deps.logger,
      backoff: reconnectSchedule(this.#settings.polling),
      brokers: this.#settings.push ?? [],
      deviceSeed: this.#booted.deviceSeed,
      deviceUdf: this.#state.device.udf,
      version: this.#settings.version,
      ...(claims === undefined ? {} : { claimsService: claims.service }),
      ...(this.#state.device.publicationId === undefined ? {} : { publicationId: this.#state.device.publicationId }),
      state: () => this.#state,
      // A status change is saved like any other (AgentRuntime.update), so `status` shows it.
      onStatus: () => void this.#save().catch(() => undefined),
    });
  }

  /** Runs every loop until `signal` aborts, then saves the state and a stopped status. */
  async run(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    this.#running = true;
    this.#push = this.#makePushHub();
    await this.#save();
    // Subscribed (or trying) before the first request, so no answer's notice is missed.
    await this.#push?.start(signal);
    for (const key of Object.keys(this.#state.owners)) this.#startOwner(key);
    const watchers: Promise<void>[] = [];
    const claims = this.#settings.claims;
    if (claims !== undefined && this.#booted.claimSecrets !== undefined) {
      watchers.push(
        new ClaimWatcher(this.#runtime(), claims)
          .run(signal)
          .catch((error: unknown) => this.#deps.logger.log('error', `claims: loop stopped: ${describeError(error)}`)),
      );
    }
    if (!signal.aborted)
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    while (this.#loops.size > 0) await Promise.all([...this.#loops.values()]);
    await Promise.all(watchers);
    await this.#push?.stopped();
    this.#running = false;
    await this.#save();
  }
}

function announceFingerprint(deps: AgentDeps, identity: Pick<KnownIdentity, 'udf' | 'mode'>): void {
  deps.logger.log('info', `device fingerprint ${identity.udf}`, {
    device: identity.udf,
    mode: identity.mode,
    keystore: deps.secrets.tier,
  });
  deps.announcer.announce({ kind: 'fingerprint', deviceUdf: identity.udf, mode: identity.mode });
}

function isApplicationTransport(value: unknown): value is ApplicationTransport {
  return typeof (value as { applicationGet?: unknown }).applicationGet === 'function';
}

/**
 * Broker reconnection: the polling schedule's growth, cap and jitter, but a
 * first retry within a second: a broker restart should not cost a whole polling interval.
 */
function reconnectSchedule(polling: RetryScheduleOptions): RetryScheduleOptions {
  return { ...polling, initialDelayMs: Math.min(polling.initialDelayMs, 1_000) };
}
