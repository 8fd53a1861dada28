/**
 * @module agent/provisioning/provisioning-device
 * What the serial protocol asks of the running agent: the commands that read and change
 * it, as one port. ProvisionedAgent (provisioned-agent.ts) is the real one; unit tests of
 * the protocol use a fake. Every method either completes (state persisted) or throws a
 * ProvisioningCommandError whose code the reply carries.
 */
import type { AgentStatus, OwnerStatus } from '../agent-status.js';

/** What `factory-reset` does to the device identity (README "factory-reset"). */
export type IdentityOnReset = 'keep' | 'regenerate';

export interface ConnectRequest {
  readonly account: string;
  /** Defaults like the configuration's: `https://<domain>/`. */
  readonly service: string;
  /** The PIN UDF the owner issued (secret: kept in the keystore, never echoed). */
  readonly pin?: string;
}

export type ServiceTarget = { readonly kind: 'owner'; readonly account: string } | { readonly kind: 'maker' };

export interface ProvisioningDevice {
  /** The current status (as `mesh-agent status` builds it; the protocol removes the codes). */
  status(): AgentStatus;
  /** factory mode keeps the identity (the label is printed for it); self mode regenerates. */
  identityOnReset(): IdentityOnReset;
  /** Adds an owner, persisted so it survives a restart, and starts its connection. */
  connect(request: ConnectRequest): Promise<OwnerStatus>;
  /** Drops the owner's record, connection and activation; other owners are untouched. */
  unpair(account: string): Promise<{ readonly account: string; readonly previousState: string }>;
  setService(target: ServiceTarget, service: string): Promise<void>;
  /** Releases a held claim (the code was checked by the protocol). */
  approveClaim(claimant: string): Promise<void>;
  /** Wipes owners, activations and serial changes; the identity per identityOnReset(). */
  factoryReset(): Promise<{ readonly identity: 'kept' | 'regenerated'; readonly device: string }>;
}
