/**
 * @module test/contract/memory-secret-store
 * The in-memory fake passes the same contract as the real stores; "reopen" is a second
 * instance on the same backend object, and two backends never share anything.
 */
import { describe, expect, it } from 'vitest';
import { MemorySecretStore, MemorySecretStoreBackend } from '../../src/agent/fakes/memory-secret-store.js';
import { secretStoreContract } from './secret-store-contract.js';

secretStoreContract('memory', () => ({
  tier: 'memory',
  async fresh() {
    const backend = new MemorySecretStoreBackend();
    return { open: async () => new MemorySecretStore(backend), cleanup: async () => undefined };
  },
}));

describe('MemorySecretStore', () => {
  it('keeps no state outside its backend: two default instances are independent', async () => {
    const a = new MemorySecretStore();
    const b = new MemorySecretStore();
    await a.put('device-seed', Uint8Array.of(1));
    expect(await b.get('device-seed')).toBeUndefined();
    expect(await b.list()).toEqual([]);
  });
});
