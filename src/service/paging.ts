/**
 * @module service/paging
 * SearchConstraints paging (security-05 §3.4.2) over one store container: MaxEntries and
 * MaxBytes bound the page (each capped by the service, which applies its own caps when the
 * client sends none), PageKey continues a previous listing. Page keys are the store's own
 * opaque keys; one the store did not issue is a 400 naming the field, and so is one that does
 * not point into this listing (another account's page key, or one re-encoded to point
 * elsewhere), which the store alone would accept as a position.
 *
 * A listing that filters what it reads (ConnectPending drops expired and answered requests)
 * keeps reading store pages until its own page is full, its bytes are spent, the listing
 * ends, or it has read `maxScanRecords` records; only in that last case can it return a
 * PageKey with fewer entries than asked, even none, and the PageKey always lies past every
 * record read, so each follow-up makes progress (docs/security.md "Size limits").
 */
import { MeshError } from '../crypto/errors.js';
import type { SearchConstraints } from '../mesh/messages/search-constraints.js';
import { badRequest } from './service-errors.js';
import { asRecord, type Versioned } from './records.js';
import type { ServiceConfig } from './service-config.js';
import { checkListOptions, encodePageKey } from './store/store-input.js';
import type { Store } from './store/store.js';

const encoder = new TextEncoder();

/** Bytes of `item` as it appears in the response's array (its JSON plus a separator). */
export function itemBytes(item: unknown): number {
  return encoder.encode(JSON.stringify(item)).length + 1;
}

/** What one response may still hold; shared across the containers of one Transfer page. */
export class PageBudget {
  entries: number;
  bytes: number;
  scan: number;
  /** Entries taken so far: the first entry of a page is taken even past `bytes`. */
  taken = 0;

  constructor(
    constraints: SearchConstraints | undefined,
    config: Pick<ServiceConfig, 'maxPageEntries' | 'maxPageBytes' | 'maxScanRecords'>,
  ) {
    this.entries = Math.min(constraints?.MaxEntries ?? config.maxPageEntries, config.maxPageEntries);
    this.bytes = Math.min(constraints?.MaxBytes ?? config.maxPageBytes, config.maxPageBytes);
    this.scan = config.maxScanRecords;
  }

  /**
   * Whether an item of `size` bytes fits. An entry larger than the whole bound on its own is
   * still returned, alone, as the first of a page, so paging always progresses.
   */
  fits(size: number): boolean {
    return this.entries > 0 && (this.taken === 0 || size <= this.bytes);
  }

  take(size: number): void {
    this.entries--;
    this.bytes -= size;
    this.taken++;
  }

  get full(): boolean {
    return this.entries <= 0 || this.bytes <= 0 || this.scan <= 0;
  }
}

/** Refuses a PageKey that the store did not issue for this listing (400 naming the field). */
function pageKeyRefusal(path: string, cause?: unknown) {
  return badRequest(
    `"${path}.SearchConstraints.PageKey" is not a page key this service returned`,
    cause === undefined ? {} : { cause },
  );
}

export function checkPageKey(store: Store, prefix: string, pageKey: string, path: string): void {
  try {
    // The store returns, as a page key, the last key it listed, which lies inside the prefix.
    const position = checkListOptions({ after: pageKey, limit: 1 }, store.limits).after;
    if (position === undefined || !position.startsWith(prefix)) throw pageKeyRefusal(path);
  } catch (error) {
    if (error instanceof MeshError && (error.code === 'ERR_STORE_INPUT' || error.code === 'ERR_STORE_LIMIT'))
      throw pageKeyRefusal(path, error);
    throw error;
  }
}

export interface CollectedPage<E> {
  readonly items: E[];
  /** False when records may remain past this page. */
  readonly complete: boolean;
  /** When incomplete: the key of the last record this page consumed (absent: none yet). */
  readonly next?: string;
}

/**
 * Reads `container` under `prefix` after `after`, turning each record into an entry with
 * `select` (undefined skips it), until `budget` is spent or the listing ends.
 */
export async function collectPage<T, E>(
  store: Store,
  container: string,
  prefix: string,
  after: string | undefined,
  budget: PageBudget,
  path: string,
  select: (record: Versioned<T>) => E | undefined,
): Promise<CollectedPage<E>> {
  if (after !== undefined) checkPageKey(store, prefix, after, path);
  const items: E[] = [];
  // A store page key: the client's, the store's, or one encoded from the last record consumed.
  let position = after;
  for (;;) {
    if (budget.full) return stopped(items, position);
    const limit = Math.max(1, Math.min(store.limits.maxListLimit, budget.scan, Math.max(budget.entries * 2, 100)));
    let page;
    try {
      page = await store.list(container, { prefix, limit, ...(position === undefined ? {} : { after: position }) });
    } catch (error) {
      if (error instanceof MeshError && (error.code === 'ERR_STORE_INPUT' || error.code === 'ERR_STORE_LIMIT'))
        throw pageKeyRefusal(path, error);
      throw error;
    }
    for (const record of page.records) {
      const item = select(asRecord<T>(record));
      if (item !== undefined) {
        const size = itemBytes(item);
        // Stop before the entry that would pass MaxBytes; the PageKey resumes at it.
        if (!budget.fits(size)) return stopped(items, position);
        budget.take(size);
        items.push(item);
      }
      budget.scan--;
      position = encodePageKey(record.key);
      if (budget.full && (record !== page.records[page.records.length - 1] || page.next !== undefined)) {
        return stopped(items, position);
      }
    }
    if (page.next === undefined) return { items, complete: true };
    position = page.next;
  }
}

function stopped<E>(items: E[], position: string | undefined): CollectedPage<E> {
  return { items, complete: false, ...(position === undefined ? {} : { next: position }) };
}

/** Whether a record time passes NotBefore/Before. */
export function withinTime(time: string, constraints: SearchConstraints | undefined): boolean {
  const t = Date.parse(time);
  if (constraints?.NotBefore !== undefined && t < constraints.NotBefore.getTime()) return false;
  if (constraints?.Before !== undefined && t >= constraints.Before.getTime()) return false;
  return true;
}
