/**
 * @module service/store/open-store
 * Turns the service's `--store` option (`--store file|postgres://...`) into an
 * open Store, so the composition root does not need to know either backend.
 *
 *   file                  the embedded store in <data>/store (the default)
 *   file:DIR              the embedded store in DIR
 *   postgres://…          PostgreSQL; an optional `schema` query parameter picks the schema
 *   postgresql://…        (default "mesh_store"), and is removed before the URL reaches pg
 */
import { join, resolve } from 'node:path';
import { FileStore, type RecoveryEvent } from './file-store.js';
import { DEFAULT_POSTGRES_SCHEMA, PostgresStore } from './postgres-store.js';
import { StoreConfigError } from './store-errors.js';
import type { Store, StoreLimits } from './store.js';

export type StoreSpec =
  | { readonly kind: 'file'; readonly directory: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema: string };

export interface OpenStoreOptions {
  /** The service's `--data` directory; the default file store lives in its `store` subdirectory. */
  readonly dataDirectory: string;
  readonly limits?: Partial<StoreLimits>;
  /** Told when the file store truncated a torn tail at open. */
  readonly onRecovery?: (event: RecoveryEvent) => void;
}

export const FILE_STORE_SUBDIRECTORY = 'store';

export function parseStoreSpec(spec: string | undefined, dataDirectory: string): StoreSpec {
  const text = spec ?? 'file';
  if (text === 'file') return { kind: 'file', directory: join(dataDirectory, FILE_STORE_SUBDIRECTORY) };
  if (text.startsWith('file:')) {
    const directory = text.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (directory === '') {
      throw new StoreConfigError('"--store" file:DIR expected a directory after "file:", got nothing', {
        context: { what: '--store' },
      });
    }
    return { kind: 'file', directory: resolve(directory) };
  }
  if (text.startsWith('postgres://') || text.startsWith('postgresql://')) {
    let url: URL;
    try {
      url = new URL(text);
    } catch (cause) {
      // The URL may hold a password: never echo it.
      throw new StoreConfigError('"--store" is not a valid postgres:// URL', { context: { what: '--store' }, cause });
    }
    const schema = url.searchParams.get('schema') ?? DEFAULT_POSTGRES_SCHEMA;
    url.searchParams.delete('schema');
    return { kind: 'postgres', url: url.toString(), schema };
  }
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(text)?.[0] ?? JSON.stringify(text.slice(0, 40));
  throw new StoreConfigError(`"--store" expected "file", "file:DIR" or a postgres:// URL, got ${scheme}`, {
    context: { what: '--store', expected: ['file', 'file:DIR', 'postgres://'] },
  });
}

export async function openStore(spec: string | undefined, options: OpenStoreOptions): Promise<Store> {
  const parsed = parseStoreSpec(spec, options.dataDirectory);
  if (parsed.kind === 'file') {
    return FileStore.open(parsed.directory, {
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.onRecovery === undefined ? {} : { onRecovery: options.onRecovery }),
    });
  }
  return PostgresStore.open(parsed.url, {
    schema: parsed.schema,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
}
