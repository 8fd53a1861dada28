/**
 * @module test/contract/secret-store-contract
 * The one behaviour every SecretStore must show, run against each adapter on its real
 * backend (docs/decisions/0008-where-fakes-live.md: "every adapter has one contract suite run against its fake and
 * against the real thing"): put/get/replace/delete/list, binary secrets of 0..4096 bytes
 * with zero bytes anywhere, the name rules, a second instance on the same backend seeing
 * what the first wrote, concurrent writers, use after close, and no secret in any error.
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { SecretStore, SecretStoreTier } from '../../src/agent/secret-store.js';
import { MeshError } from '../../src/crypto/errors.js';
import {
  InvalidSecretNameError,
  InvalidSecretValueError,
  KeystoreClosedError,
} from '../../src/agent/secret-store-errors.js';

/** One backend location (a state directory, a keyring instance); open() may be called repeatedly on it. */
export interface SecretStoreLocation {
  open(): Promise<SecretStore>;
  cleanup(): Promise<void>;
}

export interface SecretStoreHarness {
  readonly tier: SecretStoreTier;
  /** A fresh, empty location on the backend. */
  fresh(): Promise<SecretStoreLocation>;
}

/** The textual forms a leaked secret could take in a message, context, cause or inspect output. */
function leakForms(secret: Uint8Array): string[] {
  const buffer = Buffer.from(secret);
  return [
    buffer.toString('hex'),
    buffer.toString('hex').toUpperCase(),
    buffer.toString('base64'),
    buffer.toString('base64url'),
    buffer.toString('latin1'),
    // util.inspect of a Uint8Array/Buffer: "12, 34, …" and "<Buffer 0c 22 …>".
    [...secret.subarray(0, 12)].join(', '),
    [...secret.subarray(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join(' '),
  ];
}

/** Fails if `error` (message, context, cause chain, anything inspect shows) carries `secret`. */
export function expectNoSecretIn(error: unknown, secret: Uint8Array): void {
  expect(secret.length, 'a leak check needs a distinctive secret').toBeGreaterThanOrEqual(16);
  const texts: string[] = [
    inspect(error, {
      depth: 8,
      showHidden: true,
      breakLength: Infinity,
      maxArrayLength: 10_000,
      maxStringLength: 100_000,
    }),
  ];
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    texts.push(e.message, String(e.stack ?? ''));
    if (e instanceof MeshError) texts.push(JSON.stringify(e.context));
  }
  // inspect pads and wraps number arrays ("  0,  34, 156,"), so whitespace is ignored on both sides.
  const all = texts.join('\n').replace(/\s+/g, '');
  for (const form of leakForms(secret).map((f) => f.replace(/\s+/g, ''))) {
    expect(all.includes(form), `error text contains the secret (as ${JSON.stringify(form.slice(0, 16))}…)`).toBe(false);
  }
}

/** Runs `action`, expects it to throw, and returns the error. */
export async function caught(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

/** A random secret that is distinctive enough for leak checks and contains zero bytes. */
export function distinctiveSecret(length = 48): Uint8Array {
  const secret = new Uint8Array(Buffer.from(crypto.getRandomValues(new Uint8Array(length))));
  secret[0] = 0;
  secret[length >> 1] = 0;
  return secret;
}

const INVALID_NAMES: unknown[] = [
  '',
  '.hidden',
  '/absolute',
  '-dash-first',
  'a'.repeat(129),
  'has space',
  'tab\there',
  'new\nline',
  'nul\0byte',
  'tilde~name',
  'percent%2F',
  'back\\slash',
  'colon:name',
  'ünïcödé',
  '..',
  42,
  null,
  undefined,
];

const VALID_NAMES = [
  'a',
  'device-seed',
  'activation/alice@example.com',
  'A.b_c-d@e/f/g',
  '0',
  'x'.repeat(128),
  'a/../b',
  'a//b',
  'trailing/',
];

export function secretStoreContract(label: string, harness: () => SecretStoreHarness): void {
  describe(`SecretStore contract: ${label}`, () => {
    const opened: SecretStore[] = [];
    const locations: SecretStoreLocation[] = [];

    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      for (const location of locations.splice(0)) await location.cleanup();
    });

    async function freshLocation(): Promise<SecretStoreLocation> {
      const location = await harness().fresh();
      locations.push(location);
      return location;
    }
    async function openOn(location: SecretStoreLocation): Promise<SecretStore> {
      const store = await location.open();
      opened.push(store);
      return store;
    }
    async function freshStore(): Promise<{ store: SecretStore; location: SecretStoreLocation }> {
      const location = await freshLocation();
      return { store: await openOn(location), location };
    }

    it('reports its tier and a one-line description that starts with it', async () => {
      const { store } = await freshStore();
      expect(store.tier).toBe(harness().tier);
      expect(store.describe().startsWith(`${harness().tier} (`)).toBe(true);
      expect(store.describe()).not.toMatch(/\n/);
    });

    it('starts empty; getting or deleting an absent name is not an error', async () => {
      const { store } = await freshStore();
      expect(await store.list()).toEqual([]);
      expect(await store.get('device-seed')).toBeUndefined();
      await store.delete('device-seed');
      expect(await store.list()).toEqual([]);
    });

    it('puts, gets, replaces, deletes and lists (sorted)', async () => {
      const { store } = await freshStore();
      const one = distinctiveSecret(32);
      const two = distinctiveSecret(64);
      await store.put('zeta', one);
      await store.put('activation/alice@example.com', two);
      await store.put('device-seed', one);
      expect(await store.list()).toEqual(['activation/alice@example.com', 'device-seed', 'zeta']);
      expect(await store.get('zeta')).toEqual(one);
      expect(await store.get('activation/alice@example.com')).toEqual(two);

      await store.put('zeta', two);
      expect(await store.get('zeta')).toEqual(two);
      expect(await store.list()).toEqual(['activation/alice@example.com', 'device-seed', 'zeta']);

      await store.delete('zeta');
      expect(await store.get('zeta')).toBeUndefined();
      expect(await store.list()).toEqual(['activation/alice@example.com', 'device-seed']);
      expect(await store.get('device-seed')).toEqual(one);
    });

    it('keeps binary secrets of 0..4096 bytes exactly, zero bytes included', async () => {
      const { store } = await freshStore();
      const fixed: Array<[string, Uint8Array]> = [
        ['empty', new Uint8Array(0)],
        ['one-zero', new Uint8Array(1)],
        ['zeros-4096', new Uint8Array(4096)],
        ['ones-4096', new Uint8Array(4096).fill(0xff)],
        ['all-bytes', Uint8Array.from({ length: 256 }, (_, i) => i)],
        ['edges', Uint8Array.of(0, 0, 0, 1, 0x7f, 0x80, 0xff, 0, 0)],
        ['random-4096', distinctiveSecret(4096)],
      ];
      for (const [name, value] of fixed) await store.put(name, value);
      for (const [name, value] of fixed) {
        const back = await store.get(name);
        expect(back, name).toBeInstanceOf(Uint8Array);
        expect(back, name).toEqual(value);
      }

      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 4096 }), async (value) => {
          await store.put('property', value);
          expect(await store.get('property')).toEqual(value);
        }),
        { numRuns: 25 },
      );
    });

    it('accepts every name the pattern allows, exactly as given', async () => {
      const { store } = await freshStore();
      const secret = distinctiveSecret(16);
      for (const name of VALID_NAMES) await store.put(name, secret);
      expect(await store.list()).toEqual([...VALID_NAMES].sort());
      for (const name of VALID_NAMES) expect(await store.get(name), name).toEqual(secret);
      // Names differing only in case are different secrets.
      await store.put('Case', Uint8Array.of(1));
      await store.put('case', Uint8Array.of(2));
      expect(await store.get('Case')).toEqual(Uint8Array.of(1));
      expect(await store.get('case')).toEqual(Uint8Array.of(2));
    });

    it('refuses invalid names on put, get and delete with InvalidSecretNameError naming the argument', async () => {
      const { store } = await freshStore();
      const secret = distinctiveSecret();
      for (const name of INVALID_NAMES) {
        for (const action of [
          () => store.put(name as string, secret),
          () => store.get(name as string),
          () => store.delete(name as string),
        ]) {
          const error = await caught(action);
          expect(error, JSON.stringify(name)).toBeInstanceOf(InvalidSecretNameError);
          expect((error as Error).message).toContain('"name"');
          expectNoSecretIn(error, secret);
        }
      }
      expect(await store.list()).toEqual([]);
    });

    it('refuses a value that is not a Uint8Array, without echoing it', async () => {
      const { store } = await freshStore();
      for (const value of ['a string secret', [1, 2, 3], null, undefined, 7, new ArrayBuffer(4)]) {
        const error = await caught(() => store.put('device-seed', value as unknown as Uint8Array));
        expect(error).toBeInstanceOf(InvalidSecretValueError);
        expect((error as Error).message).not.toContain('a string secret');
      }
      expect(await store.list()).toEqual([]);
    });

    it("stores a copy: later changes to the caller's buffers do not reach the store", async () => {
      const { store } = await freshStore();
      const secret = distinctiveSecret(32);
      const original = secret.slice();
      await store.put('device-seed', secret);
      secret.fill(0xaa);
      const first = await store.get('device-seed');
      expect(first).toEqual(original);
      first?.fill(0x55);
      expect(await store.get('device-seed')).toEqual(original);
    });

    it('a second instance on the same backend sees what the first wrote, replaced and deleted', async () => {
      const location = await freshLocation();
      const first = await openOn(location);
      const seed = distinctiveSecret(32);
      const replaced = distinctiveSecret(32);
      await first.put('device-seed', seed);
      await first.put('activation/bob@example.com', distinctiveSecret(32));
      await first.put('activation/bob@example.com', replaced);
      await first.put('gone', distinctiveSecret(16));
      await first.delete('gone');
      await first.close();

      const second = await openOn(location);
      expect(await second.list()).toEqual(['activation/bob@example.com', 'device-seed']);
      expect(await second.get('device-seed')).toEqual(seed);
      expect(await second.get('activation/bob@example.com')).toEqual(replaced);
      expect(await second.get('gone')).toBeUndefined();

      // Two instances open at once share the backend too.
      const third = await openOn(location);
      await second.put('shared', Uint8Array.of(9, 0, 9));
      expect(await third.get('shared')).toEqual(Uint8Array.of(9, 0, 9));
    });

    it('concurrent puts to different names all land; concurrent puts to one name leave one whole value', async () => {
      const { store } = await freshStore();
      const values = Array.from({ length: 16 }, (_, i) => distinctiveSecret(16 + i * 37));
      await Promise.all(values.map((value, i) => store.put(`concurrent/${i}`, value)));
      expect(await store.list()).toEqual(values.map((_, i) => `concurrent/${i}`).sort());
      const back = await Promise.all(values.map((_, i) => store.get(`concurrent/${i}`)));
      back.forEach((value, i) => expect(value, `concurrent/${i}`).toEqual(values[i]));

      const racers = Array.from({ length: 8 }, () => distinctiveSecret(100));
      await Promise.all(racers.map((value) => store.put('raced', value)));
      const winner = await store.get('raced');
      expect(racers.some((value) => Buffer.from(value).equals(Buffer.from(winner ?? new Uint8Array())))).toBe(true);
      expect(await store.list()).toContain('raced');
    });

    it('is unusable after close (KeystoreClosedError), and close twice is fine', async () => {
      const { store } = await freshStore();
      const secret = distinctiveSecret();
      await store.put('device-seed', secret);
      await store.close();
      await store.close();
      for (const action of [
        () => store.put('device-seed', secret),
        () => store.get('device-seed'),
        () => store.delete('device-seed'),
        () => store.list(),
      ]) {
        const error = await caught(action);
        expect(error).toBeInstanceOf(KeystoreClosedError);
        expectNoSecretIn(error, secret);
      }
    });
  });
}
