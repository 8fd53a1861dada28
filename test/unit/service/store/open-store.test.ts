/**
 * @module test/unit/service/store/open-store.test
 * The `--store` option: the spellings the service accepts and the errors for the
 * rest, which must name the option and never echo a password.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, parseStoreSpec } from '../../../../src/service/store/open-store.js';
import { StoreConfigError } from '../../../../src/service/store/store-errors.js';

describe('parseStoreSpec', () => {
  it('defaults to the file store under the data directory', () => {
    expect(parseStoreSpec(undefined, '/var/lib/mesh')).toEqual({ kind: 'file', directory: '/var/lib/mesh/store' });
    expect(parseStoreSpec('file', '/var/lib/mesh')).toEqual({ kind: 'file', directory: '/var/lib/mesh/store' });
    expect(parseStoreSpec('file:/srv/log', '/d')).toEqual({ kind: 'file', directory: '/srv/log' });
    expect(parseStoreSpec('file:///srv/log', '/d')).toEqual({ kind: 'file', directory: '/srv/log' });
  });

  it('takes postgres URLs and lifts the schema parameter out of them', () => {
    expect(parseStoreSpec('postgres://u:p@127.0.0.1:5432/mesh?schema=tenant_a&sslmode=disable', '/d')).toEqual({
      kind: 'postgres',
      url: 'postgres://u:p@127.0.0.1:5432/mesh?sslmode=disable',
      schema: 'tenant_a',
    });
    expect(parseStoreSpec('postgresql://127.0.0.1/mesh', '/d')).toMatchObject({
      kind: 'postgres',
      schema: 'mesh_store',
    });
  });

  it.each([
    ['mysql://root:hunter2@db/mesh', /"--store" expected "file", "file:DIR" or a postgres:\/\/ URL, got mysql:/],
    ['sqlite', /got "sqlite"/],
    ['file:', /"--store" file:DIR expected a directory after "file:"/],
    ['postgres://user:hunter2@[bad', /"--store" is not a valid postgres:\/\/ URL/],
  ])('refuses %s, naming --store', (spec, message) => {
    let error: unknown;
    try {
      parseStoreSpec(spec, '/d');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe('openStore', () => {
  it('opens the file store in <data>/store', async () => {
    const data = await mkdtemp(join(tmpdir(), 'mesh-open-store-'));
    try {
      const store = await openStore('file', { dataDirectory: data });
      expect(store.kind).toBe('file');
      await store.commit([{ op: 'put', container: 'a', key: 'k', value: {} }]);
      await store.close();
      expect((await stat(join(data, 'store', 'store.log'))).isFile()).toBe(true);
    } finally {
      await rm(data, { recursive: true, force: true });
    }
  });
});
