/**
 * @module platform/keystore/secret-service-store
 * The middle tier: secrets in the user's keyring through the freedesktop Secret Service API
 * (org.freedesktop.secrets, gnome-keyring here; docs/decisions/0006-dbus-next-instead-of-dbus.md). Each secret is one item
 * in the default collection with attributes {application: "mesh-agent", instance, name}, so
 * two agents on one keyring (two state directories) never see each other's items.
 *
 * The session is `plain`: the secret crosses the local session bus unencrypted, which the
 * same user could read from the keyring anyway; the DH session would protect only against
 * that user, who already has the keyring. `replace=true` makes a put an atomic overwrite
 * inside the keyring. Unlocking needs a password prompt that a headless agent cannot
 * answer, so a locked collection, or any call that returns a prompt, is reported as
 * SecretServiceLockedError rather than waited on.
 */
import dbus from 'dbus-next';
import type { SecretStore, SecretStoreTier } from '../../agent/secret-store.js';
import { checkSecretName, checkSecretValue } from '../../agent/secret-store-checks.js';
import { KeystoreClosedError } from '../../agent/secret-store-errors.js';
import { SecretServiceCallError, SecretServiceLockedError, SecretServiceUnavailableError } from './keystore-errors.js';
import { resolveBusAddress, SecretsBus, type BusLocation } from './secret-service-bus.js';

const SERVICE_PATH = '/org/freedesktop/secrets';
const SERVICE = 'org.freedesktop.Secret.Service';
const COLLECTION = 'org.freedesktop.Secret.Collection';
const ITEM = 'org.freedesktop.Secret.Item';
const SESSION = 'org.freedesktop.Secret.Session';
const PROPERTIES = 'org.freedesktop.DBus.Properties';
/** `/` is the Secret Service's "no object": no prompt needed, no item, no collection. */
const NO_OBJECT = '/';
export const SECRET_SERVICE_APPLICATION = 'mesh-agent';
const DEFAULT_TIMEOUT_MS = 10_000;

export interface SecretServiceStoreOptions extends BusLocation {
  /** Distinguishes agents sharing a keyring; the `instance` attribute of every item (default "default"). */
  readonly instance?: string;
  /** Deadline for each D-Bus call (default 10 s). */
  readonly timeoutMs?: number;
}

function lockedError(what: string, collection: string): SecretServiceLockedError {
  return new SecretServiceLockedError(
    `the Secret Service collection ${collection} is locked (${what}); unlock the keyring at session start (for example gnome-keyring-daemon --unlock), since a headless agent cannot answer the unlock prompt`,
    { context: { collection } },
  );
}

export class SecretServiceStore implements SecretStore {
  readonly tier: SecretStoreTier = 'secret-service';
  readonly instance: string;
  readonly collection: string;
  readonly #bus: SecretsBus;
  readonly #session: string;
  #closed = false;

  private constructor(bus: SecretsBus, session: string, collection: string, instance: string) {
    this.#bus = bus;
    this.#session = session;
    this.collection = collection;
    this.instance = instance;
  }

  /**
   * Opens a plain session and finds the default collection. Throws
   * SecretServiceUnavailableError when there is no bus, no service or no default
   * collection, SecretServiceLockedError when that collection is locked.
   */
  static async open(options: SecretServiceStoreOptions = {}): Promise<SecretServiceStore> {
    const resolved = resolveBusAddress(options);
    if (resolved.address === undefined) throw new SecretServiceUnavailableError(resolved.reason);
    const bus = SecretsBus.connect(resolved.address, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    try {
      const [, session] = await bus.call({
        path: SERVICE_PATH,
        interface: SERVICE,
        member: 'OpenSession',
        signature: 'sv',
        body: ['plain', new dbus.Variant('s', '')],
      });
      const [collection] = await bus.call({
        path: SERVICE_PATH,
        interface: SERVICE,
        member: 'ReadAlias',
        signature: 's',
        body: ['default'],
      });
      if (typeof collection !== 'string' || collection === NO_OBJECT) {
        throw new SecretServiceUnavailableError(
          `the Secret Service on ${resolved.address} has no default collection; create a default keyring (for example by starting gnome-keyring-daemon --unlock once)`,
          { context: { address: resolved.address } },
        );
      }
      const [locked] = await bus.call({
        path: collection,
        interface: PROPERTIES,
        member: 'Get',
        signature: 'ss',
        body: [COLLECTION, 'Locked'],
      });
      if ((locked as { value?: unknown } | undefined)?.value === true) throw lockedError('at open', collection);
      return new SecretServiceStore(bus, String(session), collection, options.instance ?? 'default');
    } catch (error) {
      bus.close();
      throw error;
    }
  }

  describe(): string {
    return `secret-service (${this.collection} on ${this.#bus.address}, instance ${JSON.stringify(this.instance)})`;
  }

  #checkOpen(): void {
    if (this.#closed) throw new KeystoreClosedError('the Secret Service store is closed');
  }

  #attributes(name?: string): Record<string, string> {
    const attributes: Record<string, string> = { application: SECRET_SERVICE_APPLICATION, instance: this.instance };
    if (name !== undefined) attributes['name'] = name;
    return attributes;
  }

  /** Unlocked item paths matching `attributes`; locked matches mean the keyring was locked since open. */
  async #search(attributes: Record<string, string>, what: string): Promise<string[]> {
    const [unlocked, locked] = await this.#bus.call({
      path: SERVICE_PATH,
      interface: SERVICE,
      member: 'SearchItems',
      signature: 'a{ss}',
      body: [attributes],
    });
    if (Array.isArray(locked) && locked.length > 0) throw lockedError(what, this.collection);
    return Array.isArray(unlocked) ? unlocked.map(String) : [];
  }

  async put(name: string, secret: Uint8Array): Promise<void> {
    this.#checkOpen();
    checkSecretName(name);
    checkSecretValue(secret);
    const properties = {
      'org.freedesktop.Secret.Item.Label': new dbus.Variant('s', `mesh-agent ${this.instance}: ${name}`),
      'org.freedesktop.Secret.Item.Attributes': new dbus.Variant('a{ss}', this.#attributes(name)),
    };
    const value = Buffer.from(secret);
    try {
      const [item, prompt] = await this.#bus.call({
        path: this.collection,
        interface: COLLECTION,
        member: 'CreateItem',
        signature: 'a{sv}(oayays)b',
        body: [properties, [this.#session, Buffer.alloc(0), value, 'application/octet-stream'], true],
      });
      if (item === NO_OBJECT || (typeof prompt === 'string' && prompt !== NO_OBJECT))
        throw lockedError(`storing ${JSON.stringify(name)}`, this.collection);
    } catch (error) {
      if (error instanceof SecretServiceCallError && error.dbusError === 'org.freedesktop.Secret.Error.IsLocked') {
        throw lockedError(`storing ${JSON.stringify(name)}`, this.collection);
      }
      throw error;
    } finally {
      value.fill(0);
    }
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    this.#checkOpen();
    checkSecretName(name);
    const [item] = await this.#search(this.#attributes(name), `reading ${JSON.stringify(name)}`);
    if (item === undefined) return undefined;
    const [secret] = await this.#bus.call({
      path: item,
      interface: ITEM,
      member: 'GetSecret',
      signature: 'o',
      body: [this.#session],
    });
    const value = Array.isArray(secret) ? (secret[2] as unknown) : undefined;
    if (!(value instanceof Uint8Array)) {
      throw new SecretServiceCallError(
        `${ITEM}.GetSecret returned no secret bytes for ${JSON.stringify(name)}`,
        'Item.GetSecret',
        undefined,
        {
          context: { item },
        },
      );
    }
    const bytes = new Uint8Array(value);
    value.fill(0);
    return bytes;
  }

  async delete(name: string): Promise<void> {
    this.#checkOpen();
    checkSecretName(name);
    for (const item of await this.#search(this.#attributes(name), `deleting ${JSON.stringify(name)}`)) {
      const [prompt] = await this.#bus.call({ path: item, interface: ITEM, member: 'Delete' });
      if (typeof prompt === 'string' && prompt !== NO_OBJECT)
        throw lockedError(`deleting ${JSON.stringify(name)}`, this.collection);
    }
  }

  async list(): Promise<string[]> {
    this.#checkOpen();
    const items = await this.#search(this.#attributes(), 'listing');
    const names = await Promise.all(
      items.map(async (item) => {
        const [attributes] = await this.#bus.call({
          path: item,
          interface: PROPERTIES,
          member: 'Get',
          signature: 'ss',
          body: [ITEM, 'Attributes'],
        });
        const name = (attributes as { value?: Record<string, unknown> } | undefined)?.value?.['name'];
        return typeof name === 'string' ? name : undefined;
      }),
    );
    return [...new Set(names.filter((name): name is string => name !== undefined))].sort();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Closing the session is courtesy (the service drops it with the connection anyway).
    await this.#bus.call({ path: this.#session, interface: SESSION, member: 'Close' }, 2_000).catch(() => undefined);
    this.#bus.close();
  }
}

export type SecretServiceProbe =
  | { readonly available: true; readonly address: string; readonly source: string }
  | { readonly available: false; readonly reason: string };

/**
 * Is a usable Secret Service reachable within `timeoutMs`: a session bus, the service on
 * it, a default collection, unlocked? The reason says which of these failed.
 */
export async function probeSecretService(location: BusLocation = {}, timeoutMs = 2_000): Promise<SecretServiceProbe> {
  const resolved = resolveBusAddress(location);
  if (resolved.address === undefined) return { available: false, reason: `no Secret Service: ${resolved.reason}` };
  try {
    const store = await SecretServiceStore.open({ ...location, dbusAddress: resolved.address, timeoutMs });
    await store.close();
    return { available: true, address: resolved.address, source: resolved.source };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { available: false, reason: `no Secret Service: ${why}` };
  }
}
