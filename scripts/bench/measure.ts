/**
 * @module bench/measure
 * Timing helpers shared by the benchmarks: operations per second over a minimum wall time,
 * and a table that prints each figure beside its same-run baseline as a ratio.
 */
import { performance } from 'node:perf_hooks';

export interface Rate {
  readonly opsPerSecond: number;
  readonly msPerOp: number;
}

/** Calls `fn` repeatedly for at least `minMs` (after a short warm-up) and returns the rate. */
export function measure(fn: () => unknown, minMs = 400): Rate {
  for (let i = 0; i < 5; i++) fn();
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 10; i++) fn();
    count += 10;
    elapsed = performance.now() - start;
  }
  return { opsPerSecond: (count * 1000) / elapsed, msPerOp: elapsed / count };
}

/** Async variant for operations that return promises. */
export async function measureAsync(fn: () => Promise<unknown>, minMs = 400): Promise<Rate> {
  for (let i = 0; i < 3; i++) await fn();
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    await fn();
    count++;
    elapsed = performance.now() - start;
  }
  return { opsPerSecond: (count * 1000) / elapsed, msPerOp: elapsed / count };
}

export interface Row {
  readonly name: string;
  readonly value: string;
  readonly baselineName: string;
  readonly baseline: string;
  readonly ratio: string;
}

export function rateRow(name: string, rate: Rate, baselineName: string, baseline: Rate): Row {
  return {
    name,
    value: `${fmt(rate.opsPerSecond)} ops/s (${rate.msPerOp.toFixed(3)} ms)`,
    baselineName,
    baseline: `${fmt(baseline.opsPerSecond)} ops/s (${baseline.msPerOp.toFixed(3)} ms)`,
    ratio: `${(rate.opsPerSecond / baseline.opsPerSecond).toFixed(2)}x`,
  };
}

export function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

export function printTable(rows: readonly Row[]): void {
  const headers: Row = {
    name: 'measure',
    value: 'value',
    baselineName: 'baseline (same run)',
    baseline: 'baseline value',
    ratio: 'ratio',
  };
  const all = [headers, ...rows];
  const width = (k: keyof Row) => Math.max(...all.map((r) => r[k].length));
  const keys: (keyof Row)[] = ['name', 'value', 'baselineName', 'baseline', 'ratio'];
  for (const r of all) console.log(keys.map((k) => r[k].padEnd(width(k))).join('  '));
}
