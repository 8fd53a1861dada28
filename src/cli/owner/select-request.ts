/**
 * @module cli/owner/select-request
 * Picks the one item a `<witness-or-device-udf>` argument names: a prefix (dashes and case
 * ignored) of a pending request's witness or device UDF, or of a cataloged device's UDF.
 * No match, or several, is a UsageError naming the argument and listing the candidates, so
 * the person never acts on a request other than the one whose witness they compared.
 */
import { UsageError } from '../cli-errors.js';
import { matchesSelector } from './owner-args.js';

export interface Selectable {
  readonly witness?: string | undefined;
  readonly deviceUdf?: string | undefined;
}

export function selectOne<T extends Selectable>(
  items: readonly T[],
  selector: string,
  argument: string,
  what: string,
): T {
  const matches = items.filter(
    (item) =>
      (item.witness !== undefined && matchesSelector(item.witness, selector)) ||
      (item.deviceUdf !== undefined && matchesSelector(item.deviceUdf, selector)),
  );
  if (matches.length === 0) throw new UsageError(`matches no ${what}`, argument);
  if (matches.length > 1) {
    const list = matches.map((m) =>
      [m.witness === undefined ? '' : `witness ${m.witness}`, m.deviceUdf === undefined ? '' : `device ${m.deviceUdf}`]
        .filter(Boolean)
        .join(' '),
    );
    throw new UsageError(`matches ${matches.length} ${what}s; give more characters: ${list.join('; ')}`, argument);
  }
  return matches[0] as T;
}
