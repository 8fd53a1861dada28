/**
 * @module test/contract/store/store-child
 * A separate process driving a store, bundled and spawned by the store tests:
 * - `commit-loop SPEC` commits records from four concurrent writers and prints `acked <index> <key>` only
 *   after each commit resolves, so a parent that kills it with SIGKILL knows exactly which
 *   writes were acknowledged;
 * - `increment SPEC CONTAINER KEY COUNT` does COUNT read-modify-write increments of a counter
 *   with version preconditions, retrying on conflict, then prints `done <conflicts>`.
 */
import { openStore } from '../../../src/service/store/open-store.js';
import { StoreConfigError, StoreConflictError } from '../../../src/service/store/store-errors.js';

async function main(): Promise<void> {
  const [mode, spec, ...rest] = process.argv.slice(2);
  const store = await openStore(spec, { dataDirectory: process.cwd() });
  if (mode === 'commit-loop') {
    // Several writers at once, so a kill also lands in the middle of grouped writes.
    const writer = async (w: number): Promise<never> => {
      for (let i = 0; ; i++) {
        const key = `w${w}-k${i}`;
        const receipt = await store.commit([
          { op: 'put', container: 'crash', key, value: { i, pad: 'x'.repeat((i * 37) % 700) } },
        ]);
        process.stdout.write(`acked ${receipt.index} ${key}\n`);
      }
    };
    await Promise.all([0, 1, 2, 3].map(writer));
  }
  if (mode === 'increment') {
    const [container = 'counters', key = 'shared', count = '10'] = rest;
    let conflicts = 0;
    for (let done = 0; done < Number(count); ) {
      const current = await store.get<{ n: number }>(container, key);
      try {
        await store.commit(
          [{ op: 'put', container, key, value: { n: (current?.value.n ?? 0) + 1 } }],
          [{ container, key, expected: current?.version ?? 'absent' }],
        );
        done += 1;
      } catch (error) {
        if (!(error instanceof StoreConflictError)) throw error;
        conflicts += 1;
      }
    }
    await store.close();
    process.stdout.write(`done ${conflicts}\n`);
    return;
  }
  throw new StoreConfigError(`unknown mode ${String(mode)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
