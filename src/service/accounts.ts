/**
 * @module service/accounts
 * The account directory: reads an account's stored ProfileAccount and keeps the parsed keys
 * (AdministratorSignature for owner authentication and ConnectComplete, ProfileSignature for
 * the witness) in a small cache keyed by record version, so a burst of ConnectStart requests
 * does not re-parse and re-verify the same profile each time. The version makes the cache
 * safe with several service instances on one database: a changed profile has a new version.
 */
import type { PublicKey } from '../crypto/key-pair.js';
import type { ProfileAccount } from '../mesh/objects/profile-account.js';
import type { VerifiedProfileAccount } from '../mesh/profiles/profile-account.js';
import type { EnvelopeJson } from '../mesh/schema/index.js';
import { readProfileAccount } from './profile-checks.js';
import { Containers, getRecord, type AccountRecord } from './records.js';
import type { Store } from './store/store.js';

export interface AccountEntry {
  readonly account: string;
  readonly version: number;
  readonly record: AccountRecord;
  readonly verified: VerifiedProfileAccount;
  readonly profile: ProfileAccount;
  readonly envelope: EnvelopeJson;
  readonly adminKey: PublicKey;
  readonly adminKid: string;
  readonly profileKey: PublicKey;
  /** The account's UDF (its ProfileSignature fingerprint). */
  readonly profileUdf: string;
}

const CACHE_SIZE = 1024;

export class AccountDirectory {
  readonly #store: Store;
  readonly #cache = new Map<string, AccountEntry>();

  constructor(store: Store) {
    this.#store = store;
  }

  /** The account, or undefined if there is none. */
  async get(account: string): Promise<AccountEntry | undefined> {
    const stored = await getRecord<AccountRecord>(this.#store, Containers.accounts, account);
    if (stored === undefined) {
      this.#cache.delete(account);
      return undefined;
    }
    const cached = this.#cache.get(account);
    if (cached !== undefined && cached.version === stored.version) return cached;
    // Stored profiles were verified at CreateAccount/Publish; re-reading checks them again,
    // which also catches a store that was edited underneath the service.
    const verified = readProfileAccount(stored.value.EnvelopedProfileAccount, 'EnvelopedProfileAccount');
    const entry: AccountEntry = {
      account,
      version: stored.version,
      record: stored.value,
      verified: verified.verified,
      profile: verified.profile,
      envelope: verified.envelopeJson,
      adminKey: verified.adminKey,
      adminKid: verified.adminKid,
      profileKey: verified.profileKey,
      profileUdf: verified.profileUdf,
    };
    if (this.#cache.size >= CACHE_SIZE) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(account, entry);
    return entry;
  }

  forget(account: string): void {
    this.#cache.delete(account);
  }
}
