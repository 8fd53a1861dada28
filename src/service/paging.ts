/**
 * @module service/paging
 * SearchConstraints paging (security-05 §3.4.2) over one store container: MaxEntries bounds
 * the page (capped by the service), PageKey continues a previous listing. Page keys are the
 * store's own opaque keys; one the store did not issue is a 400 naming the field, and so is
 * one that does not point into this listing (another account's page key, or one re-encoded
 * to point elsewhere), which the store alone would accept as a position.
 */
import { MeshError } from '../crypto/errors.js';
import type { SearchConstraints } from './request-schemas.js';
import { badRequest } from './service-errors.js';
import type { Versioned } from './records.js';
import { checkListOptions } from './store/store-input.js';
import type { Store } from './store/store.js';

export async function listPage<T>(
  store: Store,
  container: string,
  prefix: string,
  constraints: SearchConstraints | undefined,
  maxEntries: number,
  path: string,
): Promise<{ readonly records: readonly Versioned<T>[]; readonly next?: string }> {
  const limit = Math.min(constraints?.MaxEntries ?? maxEntries, maxEntries);
  const refused = (cause?: unknown) =>
    badRequest(`"${path}.SearchConstraints.PageKey" is not a page key this service returned`, cause === undefined ? {} : { cause });
  try {
    if (constraints?.PageKey !== undefined) {
      // The store returns, as a page key, the last key it listed, which lies inside the prefix.
      const position = checkListOptions({ after: constraints.PageKey, limit: 1 }, store.limits).after;
      if (position === undefined || !position.startsWith(prefix)) throw refused();
    }
    return (await store.list(container, {
      prefix,
      limit,
      ...(constraints?.PageKey === undefined ? {} : { after: constraints.PageKey }),
    })) as unknown as { readonly records: readonly Versioned<T>[]; readonly next?: string };
  } catch (error) {
    if (error instanceof MeshError && (error.code === 'ERR_STORE_INPUT' || error.code === 'ERR_STORE_LIMIT')) {
      throw refused(error);
    }
    throw error;
  }
}

/** Whether a record time passes NotBefore/Before. */
export function withinTime(time: string, constraints: SearchConstraints | undefined): boolean {
  const t = Date.parse(time);
  if (constraints?.NotBefore !== undefined && t < constraints.NotBefore.getTime()) return false;
  if (constraints?.Before !== undefined && t >= constraints.Before.getTime()) return false;
  return true;
}
