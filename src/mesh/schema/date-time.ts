/**
 * @module mesh/schema/date-time
 * `DateTime` fields: RFC 3339 text on the wire, `Date` in TypeScript. The reference writes
 * `YYYY-MM-DDThh:mm:ssZ` (docs/mesh-compatibility.md §4.1 ContentMetaData `Created`; §5 `Expires`), and
 * JSON-B carries DateTime as the same text (§4.4), so one parser serves both encodings.
 *
 * Reading accepts the full RFC 3339 `date-time` production (fractional seconds, numeric
 * offsets, lower-case `t`/`z`) but rejects impossible calendar values (Feb 30, hour 24),
 * which `Date.parse` would silently roll over. A leap second (`:60`) is rejected because
 * `Date` cannot hold it. Writing always uses UTC, whole seconds, `Z` — the reference form.
 */
import { fail, kindOf, preview, type Schema } from './schema.js';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const EXPECTED = 'an RFC 3339 date-time "YYYY-MM-DDThh:mm:ssZ"';

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Parses RFC 3339 text; returns undefined for anything that is not a real instant. */
export function parseRfc3339(text: string): Date | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const offHours = Number(m[10]);
    const offMinutes = Number(m[11]);
    if (offHours > 23 || offMinutes > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offHours * 60 + offMinutes);
  }
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0..99 to 1900..1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return new Date(date.getTime() - offsetMinutes * 60_000);
}

/** The reference's wire form: UTC, whole seconds, `Z`. */
export function formatRfc3339(date: Date): string | undefined {
  const time = date.getTime();
  if (!Number.isFinite(time)) return undefined;
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) return undefined;
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function dateTime(): Schema<Date> {
  return {
    expected: EXPECTED,
    parse(json, path = 'value') {
      if (typeof json !== 'string') fail(path, EXPECTED, kindOf(json));
      const date = parseRfc3339(json);
      // Dates are not secret, so a short preview helps the reader spot the typo.
      if (date === undefined) fail(path, EXPECTED, preview(json));
      return date;
    },
    toJson(value, path = 'value') {
      if (!(value instanceof Date)) fail(path, 'a Date', kindOf(value));
      const text = formatRfc3339(value);
      if (text === undefined) fail(path, 'a valid Date in years 0000..9999', 'an invalid or out-of-range Date');
      return text;
    },
  };
}
