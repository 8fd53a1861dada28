/**
 * @module agent/config/did-you-mean
 * Suggests the known field name an unknown one was probably meant to be. Unknown fields are
 * errors (a typo such as `keystor` would otherwise silently select the default keystore), and
 * the error is only friendly if it points at the fix.
 */

/** Lower case without `_`, `-` or spaces, so `state_directory` and `StateDirectory` match. */
function fold(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}

/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions (`acount`, `acocunt`). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => (d[i] as number[])[j] as number;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The known name closest to `unknown`, or undefined when none is close enough to be a
 * plausible typo. `aliases` maps names users reach for by habit to ours (`pin` → `line`).
 */
export function didYouMean(
  unknown: string,
  known: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): string | undefined {
  const folded = fold(unknown);
  for (const [alias, target] of Object.entries(aliases)) if (fold(alias) === folded) return target;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const candidate = fold(name);
    if (candidate === folded) return name;
    // `stateDir` for `stateDirectory`, `initialDelay` for `initialDelaySeconds`.
    if (folded.length >= 4 && candidate.startsWith(folded)) return name;
    const distance = editDistance(folded, candidate);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  // Up to a third of the name may be wrong, at least 1 and at most 3 characters.
  const allowed = Math.min(3, Math.max(1, Math.floor(folded.length / 3)));
  return bestDistance <= allowed ? best : undefined;
}
