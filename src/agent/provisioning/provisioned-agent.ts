/**
 * @module agent/provisioning/provisioned-agent
 * The agent as the serial line drives it: an Agent plus the technician's
 * changes (provisioning-overlay). A change that alters who the owners are or where their
 * services are (connect, unpair, set-service, factory-reset) is applied between two runs
 * of the Agent: the running one is stopped (its loops end, its state is saved), the change
 * is written to the overlay, the state and the keystore, and the Agent starts again and
 * re-derives everything from them exactly as at boot (agent.ts module comment). So the
 * serial line adds no second way of changing state, and a power cut during a change leaves
 * what a restart finishes. Approving a held claim needs no restart: its code goes to the
 * ClaimWatcher through the confirmation inbox, like `mesh-agent approve-claim`.
 *
 * Orders that keep a crash harmless (docs/decisions/0011-crash-safe-persistence.md):
 * - unpair: overlay (so the configuration does not bring the owner back), then the state
 *   without the owner, then the activation seed (an orphan seed is removed at start);
 * - connect: the PIN into the keystore, then the overlay; the Agent adds the owner as `new`;
 * - factory-reset: the overlay emptied (with `resetIdentity` for self mode), the state
 *   without owners or held claims (handled claim ids are kept, so an old claim is not
 *   taken again), then the activation and PIN seeds. A self-mode device then deletes its
 *   seed and boots as new; `resetIdentity` is cleared only after the new identity is saved,
 *   so a crash in between repeats the reset rather than leaving a state without its seed.
 *
 * The identity rule: a factory (preconfigured) device keeps its identity, because its QR
 * label and the maker's claim record are bound to it; a self-mode device makes a new one,
 * so the next owner cannot link it to the last.
 */
import { Agent, type AgentDeps } from '../agent.js';
import { DEVICE_SEED_SECRET, activationSecretName, ownerKey, type AgentState } from '../agent-state.js';
import type { AgentSettings, OwnerSettings } from '../agent-runtime.js';
import type { AgentStatus, OwnerStatus } from '../agent-status.js';
import { normalizeCode } from '../claim-watcher.js';
import type { ConfirmationInbox, StateStore } from '../ports.js';
import { fromUtf8, utf8 } from '../../crypto/bytes.js';
import { PROVISIONING_ERRORS } from './provisioning-errors.js';
import { ProvisioningCommandError } from './protocol.js';
import type { ConnectRequest, IdentityOnReset, ProvisioningDevice, ServiceTarget } from './provisioning-device.js';
import {
  EMPTY_OVERLAY,
  effectiveOwners,
  pinSecretName,
  type OverlayStore,
  type ProvisioningOverlay,
} from './provisioning-overlay.js';

/** Codes released over the serial line, handed out before those of the inner inbox. */
export class QueuedConfirmations implements ConfirmationInbox {
  readonly #inner: ConfirmationInbox | undefined;
  readonly #queue: string[] = [];

  constructor(inner?: ConfirmationInbox) {
    this.#inner = inner;
  }

  push(code: string): void {
    this.#queue.push(code);
  }

  async take(): Promise<string[]> {
    const mine = this.#queue.splice(0);
    const theirs = this.#inner === undefined ? [] : await this.#inner.take();
    return [...mine, ...theirs];
  }
}

/** Reads the inner store, except once after a self-mode reset: then there is no previous state. */
class ResettableStateStore implements StateStore {
  fresh = false;
  constructor(readonly inner: StateStore) {}
  get location(): string {
    return this.inner.location;
  }
  async load(): Promise<AgentState | undefined> {
    return this.fresh ? undefined : this.inner.load();
  }
  save(state: AgentState): Promise<void> {
    return this.inner.save(state);
  }
  saveStatus(status: Parameters<StateStore['saveStatus']>[0]): Promise<void> {
    return this.inner.saveStatus(status);
  }
}

export interface ProvisionedAgentOptions {
  readonly deps: AgentDeps;
  /** The settings from the configuration file. */
  readonly settings: AgentSettings;
  readonly overlay: OverlayStore;
}

interface Job {
  readonly change: () => Promise<void>;
  readonly done: (error?: unknown) => void;
}

export class ProvisionedAgent implements ProvisioningDevice {
  readonly #deps: AgentDeps;
  readonly #store: ResettableStateStore;
  readonly #confirmations: QueuedConfirmations;
  readonly #base: AgentSettings;
  readonly #overlayStore: OverlayStore;
  #overlay: ProvisioningOverlay = EMPTY_OVERLAY;
  #agent: Agent | undefined;
  /** Serialises changes. */
  #chain: Promise<void> = Promise.resolve();
  #inner: AbortController | undefined;
  #job: Job | undefined;
  #running = false;

  private constructor(options: ProvisionedAgentOptions) {
    this.#store = new ResettableStateStore(options.deps.stateStore);
    this.#confirmations = new QueuedConfirmations(options.deps.confirmations);
    this.#deps = { ...options.deps, stateStore: this.#store, confirmations: this.#confirmations };
    this.#base = options.settings;
    this.#overlayStore = options.overlay;
  }

  /** Boots the agent with the overlay applied (Agent.start's errors pass through). */
  static async start(options: ProvisionedAgentOptions): Promise<ProvisionedAgent> {
    const agent = new ProvisionedAgent(options);
    agent.#overlay = (await options.overlay.load()) ?? EMPTY_OVERLAY;
    await agent.#boot();
    return agent;
  }

  get agent(): Agent {
    if (this.#agent === undefined) throw new ProvisioningCommandError('internal', 'the agent has not started');
    return this.#agent;
  }

  get overlay(): ProvisioningOverlay {
    return this.#overlay;
  }

  status(): AgentStatus {
    return this.agent.status();
  }

  identityOnReset(): IdentityOnReset {
    return this.agent.state().device.mode === 'factory' ? 'keep' : 'regenerate';
  }

  async #settings(): Promise<AgentSettings> {
    const owners: OwnerSettings[] = [];
    for (const owner of effectiveOwners(this.#base.owners, this.#overlay)) {
      const stored = await this.#deps.secrets.get(pinSecretName(owner.account));
      owners.push(stored === undefined ? owner : { ...owner, pin: fromUtf8(stored) });
    }
    const claims = this.#base.claims;
    return {
      ...this.#base,
      owners,
      ...(claims === undefined
        ? {}
        : {
            claims:
              this.#overlay.makerService === undefined ? claims : { ...claims, service: this.#overlay.makerService },
          }),
    };
  }

  async #boot(): Promise<void> {
    const secrets = this.#deps.secrets;
    const resetting = this.#overlay.resetIdentity === true;
    if (resetting) {
      for (const name of await secrets.list()) {
        if (name === DEVICE_SEED_SECRET || name.startsWith('activation/') || name.startsWith('pin/'))
          await secrets.delete(name);
      }
      this.#store.fresh = true;
    } else {
      await this.#dropUnpaired();
    }
    const settings = await this.#settings();
    try {
      this.#agent = await Agent.start(this.#deps, settings);
    } finally {
      this.#store.fresh = false;
    }
    if (resetting) await this.#saveOverlay({ ...this.#overlay, resetIdentity: false });
    // PINs of owners no longer there (a crash between the overlay and the keystore).
    const wanted = new Set(settings.owners.map((o) => pinSecretName(o.account)));
    for (const name of await secrets.list())
      if (name.startsWith('pin/') && !wanted.has(name)) await secrets.delete(name);
  }

  /** Configured owners unpaired over the line leave the state even when a crash left them there. */
  async #dropUnpaired(): Promise<void> {
    if (this.#overlay.unpaired.length === 0) return;
    const state = await this.#store.inner.load();
    if (state === undefined) return;
    const owners = { ...state.owners };
    let changed = false;
    for (const key of this.#overlay.unpaired) {
      const record = owners[key];
      if (record !== undefined && record.origin === 'config') {
        delete owners[key];
        changed = true;
      }
    }
    if (changed) await this.#store.inner.save({ ...state, owners });
  }

  async #saveOverlay(overlay: ProvisioningOverlay): Promise<void> {
    await this.#overlayStore.save(overlay);
    this.#overlay = overlay;
  }

  async #editState(edit: (state: AgentState) => AgentState): Promise<void> {
    const state = await this.#store.inner.load();
    if (state !== undefined)
      await this.#store.inner.save({ ...edit(state), updated: this.#deps.clock.now().toISOString() });
  }

  /**
   * Runs the agent until `signal` aborts; between runs it applies the changes asked for
   * (module comment).
   */
  async run(signal: AbortSignal): Promise<void> {
    this.#running = true;
    try {
      for (;;) {
        const inner = new AbortController();
        const forward = (): void => inner.abort();
        signal.addEventListener('abort', forward, { once: true });
        this.#inner = inner;
        if (signal.aborted || this.#job !== undefined) inner.abort();
        try {
          await this.agent.run(inner.signal);
        } finally {
          signal.removeEventListener('abort', forward);
          this.#inner = undefined;
        }
        const job = this.#job;
        this.#job = undefined;
        if (job !== undefined) await this.#apply(job);
        if (signal.aborted) return;
      }
    } finally {
      this.#running = false;
      this.#job?.done(PROVISIONING_ERRORS.unsupported('the agent is stopping'));
      this.#job = undefined;
    }
  }

  /** Applies one change and boots again; a failed boot is fatal (rethrown to run). */
  async #apply(job: Job): Promise<void> {
    let failure: unknown;
    try {
      await job.change();
    } catch (error) {
      failure = error;
    }
    try {
      await this.#boot();
    } catch (error) {
      job.done(error);
      throw error;
    }
    job.done(failure);
  }

  /** Stops the running agent, applies `change`, boots again; one change at a time. */
  #change(change: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(
      () =>
        new Promise<void>((resolve, reject) => {
          const job: Job = { change, done: (error) => (error === undefined ? resolve() : reject(error)) };
          if (!this.#running) {
            // Not running (tests, or before run): apply directly.
            this.#apply(job).catch(() => undefined);
            return;
          }
          this.#job = job;
          this.#inner?.abort();
        }),
    );
    this.#chain = next.catch(() => undefined);
    return next;
  }

  #owner(account: string): OwnerStatus | undefined {
    return this.status().owners.find((o) => ownerKey(o.account) === ownerKey(account));
  }

  #configured(account: string): boolean {
    return this.#base.owners.some((o) => ownerKey(o.account) === ownerKey(account));
  }

  async connect(request: ConnectRequest): Promise<OwnerStatus> {
    const key = ownerKey(request.account);
    const existing = this.agent.state().owners[key];
    if (
      existing !== undefined &&
      (existing.state === 'new' || existing.state === 'pending' || existing.state === 'connected')
    ) {
      throw PROVISIONING_ERRORS.conflict(
        `${existing.account} is already an owner (${existing.state}); unpair it first to connect again`,
        { account: existing.account, state: existing.state },
      );
    }
    await this.#change(async () => {
      const secrets = this.#deps.secrets;
      if (request.pin === undefined) await secrets.delete(pinSecretName(request.account));
      else await secrets.put(pinSecretName(request.account), utf8(request.pin));
      const o = this.#overlay;
      if (this.#configured(request.account)) {
        await this.#saveOverlay({
          ...o,
          unpaired: o.unpaired.filter((k) => k !== key),
          services: { ...o.services, [key]: request.service },
        });
      } else {
        await this.#saveOverlay({
          ...o,
          owners: [
            ...o.owners.filter((x) => ownerKey(x.account) !== key),
            { account: request.account, service: request.service },
          ],
        });
      }
      // A rejected or revoked record is final for the Agent: the technician's connect starts over.
      await this.#editState((s) => {
        const owners = { ...s.owners };
        delete owners[key];
        return { ...s, owners };
      });
    });
    const owner = this.#owner(request.account);
    if (owner === undefined) throw PROVISIONING_ERRORS.noSuchOwner(request.account);
    return owner;
  }

  async unpair(account: string): Promise<{ account: string; previousState: string }> {
    const key = ownerKey(account);
    const record = this.agent.state().owners[key];
    const inSettings = effectiveOwners(this.#base.owners, this.#overlay).some((o) => ownerKey(o.account) === key);
    if (record === undefined && !inSettings) throw PROVISIONING_ERRORS.noSuchOwner(account);
    const previousState = record?.state ?? 'new';
    const name = record?.account ?? account;
    await this.#change(async () => {
      const o = this.#overlay;
      const services = { ...o.services };
      delete services[key];
      await this.#saveOverlay({
        ...o,
        owners: o.owners.filter((x) => ownerKey(x.account) !== key),
        services,
        unpaired: this.#configured(account) && !o.unpaired.includes(key) ? [...o.unpaired, key] : o.unpaired,
      });
      await this.#editState((s) => {
        const owners = { ...s.owners };
        delete owners[key];
        return { ...s, owners };
      });
      await this.#deps.secrets.delete(activationSecretName(name));
      await this.#deps.secrets.delete(pinSecretName(name));
    });
    return { account: name, previousState };
  }

  async setService(target: ServiceTarget, service: string): Promise<void> {
    if (target.kind === 'maker') {
      if (this.#base.claims === undefined)
        throw PROVISIONING_ERRORS.unsupported('this device has no claims section: there is no maker service to set');
      await this.#change(async () => this.#saveOverlay({ ...this.#overlay, makerService: service }));
      return;
    }
    const key = ownerKey(target.account);
    const record = this.agent.state().owners[key];
    const inSettings = effectiveOwners(this.#base.owners, this.#overlay).some((o) => ownerKey(o.account) === key);
    if (record === undefined && !inSettings) throw PROVISIONING_ERRORS.noSuchOwner(target.account);
    await this.#change(async () => {
      const o = this.#overlay;
      if (o.owners.some((x) => ownerKey(x.account) === key)) {
        await this.#saveOverlay({
          ...o,
          owners: o.owners.map((x) => (ownerKey(x.account) === key ? { ...x, service } : x)),
        });
      } else if (this.#configured(target.account)) {
        await this.#saveOverlay({ ...o, services: { ...o.services, [key]: service } });
      }
      await this.#editState((s) => {
        const current = s.owners[key];
        return current === undefined ? s : { ...s, owners: { ...s.owners, [key]: { ...current, service } } };
      });
    });
  }

  async approveClaim(claimant: string): Promise<void> {
    const held = this.agent.state().claims.held.find((h) => h.claimant.toLowerCase() === claimant.toLowerCase());
    if (held === undefined) throw PROVISIONING_ERRORS.noSuchClaim(`no claim by ${claimant} is held (see claims)`);
    if (held.code === undefined) throw PROVISIONING_ERRORS.notConfirmable(held.claimant);
    this.#confirmations.push(normalizeCode(held.code));
  }

  async factoryReset(): Promise<{ identity: 'kept' | 'regenerated'; device: string }> {
    const regenerate = this.identityOnReset() === 'regenerate';
    await this.#change(async () => {
      await this.#saveOverlay({ ...EMPTY_OVERLAY, ...(regenerate ? { resetIdentity: true } : {}) });
      await this.#editState((s) => ({ ...s, owners: {}, claims: { seen: s.claims.seen, held: [] } }));
      const secrets = this.#deps.secrets;
      for (const name of await secrets.list())
        if (name.startsWith('activation/') || name.startsWith('pin/')) await secrets.delete(name);
    });
    return { identity: regenerate ? 'regenerated' : 'kept', device: this.agent.state().device.udf };
  }
}
