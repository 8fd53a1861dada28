/**
 * @module agent/fakes/memory-secret-store
 * The in-memory SecretStore: a real implementation of the port for tests and the demo
 * (fakes of every port ship as real implementations, all in src/agent/fakes). It refuses
 * the same inputs as every adapter, with the port's own checks and errors
 * (agent/secret-store-checks), so the one contract suite holds for it too. State lives in the
 * instance only; a second instance opened on the same `MemorySecretStoreBackend` sees the
 * same secrets, which is how the contract's "reopen" is exercised without module state.
 * Values are copied in and out so a caller mutating its buffer cannot change a stored
 * secret, and overwritten with zeros when replaced, deleted or closed.
 */
import type { SecretStore, SecretStoreTier } from '../secret-store.js';
import { checkSecretName, checkSecretValue } from '../secret-store-checks.js';
import { KeystoreClosedError } from '../secret-store-errors.js';

/** The storage behind one or more MemorySecretStore instances (a "device" that outlives a store). */
export class MemorySecretStoreBackend {
  readonly secrets = new Map<string, Uint8Array>();
}

export class MemorySecretStore implements SecretStore {
  readonly tier: SecretStoreTier = 'memory';
  readonly #backend: MemorySecretStoreBackend;
  #closed = false;

  constructor(backend: MemorySecretStoreBackend = new MemorySecretStoreBackend()) {
    this.#backend = backend;
  }

  describe(): string {
    return 'memory (not persistent: secrets are lost when the agent stops)';
  }

  #checkOpen(): void {
    if (this.#closed) throw new KeystoreClosedError('the memory secret store is closed');
  }

  async put(name: string, secret: Uint8Array): Promise<void> {
    this.#checkOpen();
    checkSecretName(name);
    checkSecretValue(secret);
    const previous = this.#backend.secrets.get(name);
    this.#backend.secrets.set(name, secret.slice());
    previous?.fill(0);
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    this.#checkOpen();
    checkSecretName(name);
    return this.#backend.secrets.get(name)?.slice();
  }

  async delete(name: string): Promise<void> {
    this.#checkOpen();
    checkSecretName(name);
    this.#backend.secrets.get(name)?.fill(0);
    this.#backend.secrets.delete(name);
  }

  async list(): Promise<string[]> {
    this.#checkOpen();
    return [...this.#backend.secrets.keys()].sort();
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
