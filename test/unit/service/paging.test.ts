/**
 * @module test/unit/service/paging.test
 * collectPage (service/paging) over a real FileStore in a temp directory: pages stop before
 * MaxBytes, an entry too large for MaxBytes comes alone, filtered-out records never end a
 * listing early, the scan budget returns a PageKey that progresses, and following PageKeys
 * visits every kept record exactly once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageBudget, collectPage, itemBytes } from '../../../src/service/paging.js';
import { FileStore } from '../../../src/service/store/file-store.js';

const CONFIG = { maxPageEntries: 100, maxPageBytes: 1_000_000, maxScanRecords: 5000 };

describe('collectPage', () => {
  let directory: string;
  let store: FileStore;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mesh-paging-'));
    store = await FileStore.open(directory);
    // 300 records under "a ": every 50th is kept, the rest filtered out; sizes vary.
    await store.commit(
      Array.from({ length: 300 }, (_, i) => ({
        op: 'put' as const,
        container: 'c',
        key: `a ${String(i).padStart(4, '0')}`,
        value: { keep: i % 50 === 49, text: 'x'.repeat(i % 7 === 0 ? 2000 : 100) },
      })),
    );
    await store.commit([{ op: 'put', container: 'c', key: 'b 0000', value: { keep: true, text: '' } }]);
  });
  afterAll(async () => {
    await store?.close();
    await rm(directory, { recursive: true, force: true });
  });

  const all = (record: { key: string; value: { keep: boolean; text: string } }) => ({
    key: record.key,
    text: record.value.text,
  });
  const kept = (record: { key: string; value: { keep: boolean; text: string } }) =>
    record.value.keep ? all(record) : undefined;

  /** Follows PageKeys to the end; the pages. */
  async function pages(
    budget: () => PageBudget,
    select: typeof all | typeof kept,
  ): Promise<{ key: string; text: string }[][]> {
    const out: { key: string; text: string }[][] = [];
    let after: string | undefined;
    for (;;) {
      const page = await collectPage(store, 'c', 'a ', after, budget(), 'Test', select);
      out.push(page.items);
      if (page.complete) return out;
      expect(page.next).toBeDefined();
      expect(page.next).not.toBe(after);
      after = page.next;
      expect(out.length).toBeLessThan(400);
    }
  }

  it('stops each page before MaxBytes and visits every record once', async () => {
    const result = await pages(() => new PageBudget({ MaxBytes: 5000 }, CONFIG), all);
    for (const page of result) {
      const bytes = page.reduce((n, item) => n + itemBytes(item), 0);
      // Only a page holding one entry may pass the bound (an entry too large alone).
      if (page.length > 1) expect(bytes).toBeLessThanOrEqual(5000);
      expect(page.length).toBeGreaterThan(0);
    }
    const keys = result.flat().map((i) => i.key);
    expect(keys).toHaveLength(300);
    expect(new Set(keys).size).toBe(300);
  });

  it('returns an entry larger than MaxBytes alone, so paging progresses', async () => {
    const result = await pages(() => new PageBudget({ MaxBytes: 10 }, CONFIG), all);
    expect(result.every((page) => page.length === 1)).toBe(true);
    expect(result).toHaveLength(300);
  });

  it('reads past filtered-out records until the page is full or the listing ends', async () => {
    const page = await collectPage(
      store,
      'c',
      'a ',
      undefined,
      new PageBudget({ MaxEntries: 100 }, CONFIG),
      'Test',
      kept,
    );
    expect(page.complete).toBe(true);
    expect(page.items.map((i) => i.key)).toEqual(
      [49, 99, 149, 199, 249, 299].map((i) => `a ${String(i).padStart(4, '0')}`),
    );
  });

  it('returns a PageKey past every record read when the scan budget runs out, and the follow-ups find the rest', async () => {
    const first = await collectPage(
      store,
      'c',
      'a ',
      undefined,
      new PageBudget(undefined, { ...CONFIG, maxScanRecords: 40 }),
      'Test',
      kept,
    );
    expect(first.items).toHaveLength(0);
    expect(first.complete).toBe(false);
    const result = await pages(() => new PageBudget(undefined, { ...CONFIG, maxScanRecords: 40 }), kept);
    expect(result.flat()).toHaveLength(6);
    expect(result.length).toBeLessThanOrEqual(Math.ceil(300 / 40) + 1);
  });

  it('refuses a PageKey outside the prefix with a 400 naming the field', async () => {
    const other = await collectPage(
      store,
      'c',
      'a ',
      undefined,
      new PageBudget({ MaxEntries: 1 }, CONFIG),
      'Test',
      all,
    );
    await expect(
      collectPage(store, 'c', 'b ', other.next, new PageBudget(undefined, CONFIG), 'Test', all),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('"Test.SearchConstraints.PageKey"'),
    });
  });
});
