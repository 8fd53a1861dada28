/**
 * @module agent/secret-store
 * The port behind which the agent keeps its secrets: the device seed, one activation seed
 * per owner, application credentials. No TPM holds Ed448/X448 keys (docs/decisions/0002-seed-based-secret-store.md), so
 * what is protected is the seed material from which keys are derived in memory; the tiers
 * differ in how that material is protected at rest (design decision 5).
 *
 * Secret bytes cross this port only between the agent's key layer and the adapter; they
 * are never logged, printed, or sent anywhere (adapters must not put them in errors).
 */

/** Protection tiers, best first. */
export type SecretStoreTier = 'tpm' | 'secret-service' | 'file' | 'memory';

export const SECRET_STORE_TIERS: readonly SecretStoreTier[] = ['tpm', 'secret-service', 'file', 'memory'];

/** Secret names: short, stable identifiers such as `device-seed` or `activation/alice@example.com`. */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@/-]{0,127}$/;

export interface SecretStore {
  readonly tier: SecretStoreTier;
  /** One line for status output: the tier and where (e.g. "tpm (swtpm:host=127.0.0.1,port=2321)"). */
  describe(): string;
  /** Stores `secret` under `name`, replacing any previous value atomically. */
  put(name: string, secret: Uint8Array): Promise<void>;
  /** The secret, or undefined when there is none under `name`. */
  get(name: string): Promise<Uint8Array | undefined>;
  /** Removes `name`; removing an absent name is not an error. */
  delete(name: string): Promise<void>;
  /** The names stored, sorted. */
  list(): Promise<string[]>;
  close(): Promise<void>;
}
