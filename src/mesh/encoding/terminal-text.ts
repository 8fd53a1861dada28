/**
 * @module mesh/encoding/terminal-text
 * Strings a device or a service chose (a ProfileDevice Description, a StatusDescription, a
 * claim's text) reach a person's terminal through the owner's tools and the agent's logs.
 * Raw, they can carry escape sequences that erase lines and print a fake "witness … PIN
 * verified" line, bidi overrides that reorder what is read, or invisible characters that make
 * two different strings look the same (docs/security.md "What the owner's tools show").
 *
 * `terminalText` makes every such character VISIBLE rather than dropping it, so the person
 * sees that something was there: C0, DEL and C1 controls as `\xHH` (ESC is `\x1b`, so what
 * follows it is inert text), bidi controls and invisible or line-breaking format characters
 * as `⟪U+202E⟫`, lone surrogates as `⟪U+D800⟫`; and caps the length. `terminalJson` is
 * JSON.stringify with the same characters written as `\uXXXX` escapes: still valid JSON
 * that parses to the same value, but nothing in it acts on a terminal.
 */

/** C0 controls, DEL and C1 controls. */
const CONTROL = '\\u0000-\\u001f\\u007f-\\u009f';
/**
 * Bidi controls (U+061C, U+200E/F, U+202A–202E, U+2066–2069), zero-width and invisible
 * format characters (U+00AD, U+034F, U+115F/1160, U+17B4/5, U+180B–180F, U+200B–200D,
 * U+2060–2064, U+206A–206F, U+3164, U+FEFF, U+FFA0, U+FFF9–FFFB), the line and paragraph
 * separators U+2028/2029, variation selectors and Unicode tag characters.
 */
const INVISIBLE =
  '\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f' +
  '\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0\\ufff9-\\ufffb\\u{e0000}-\\u{e007f}\\u{e0100}-\\u{e01ef}';
/** Either set, or a lone surrogate (in `u` mode a well-formed pair is one code point and never matches). */
const UNSAFE = new RegExp(`[${CONTROL}${INVISIBLE}\\ud800-\\udfff]`, 'gu');

/** Default cap: long enough for a device description, short enough for one table cell. */
export const DEFAULT_TERMINAL_TEXT_CHARS = 120;

function codePointLabel(c: string): string {
  const cp = c.codePointAt(0) as number;
  if (cp <= 0x9f) return `\\x${cp.toString(16).padStart(2, '0')}`;
  return `⟪U+${cp.toString(16).toUpperCase().padStart(4, '0')}⟫`;
}

/** Whether `text` holds anything `terminalText` would rewrite (the length cap aside). */
export function hasUnsafeTerminalText(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}

/**
 * `text` with every control, bidi and invisible character shown as a visible label, cut to
 * `maxChars` code points of the original (a cut is marked `…`).
 */
export function terminalText(text: string, maxChars: number = DEFAULT_TERMINAL_TEXT_CHARS): string {
  const s = typeof text === 'string' ? text : String(text);
  const points = Array.from(s);
  const cut = points.length > maxChars;
  const kept = cut ? points.slice(0, maxChars).join('') : s;
  return kept.replace(UNSAFE, codePointLabel) + (cut ? '…' : '');
}

/**
 * JSON.stringify(value) in which every character `terminalText` would label is written as a
 * `\uXXXX` escape. Such characters can only occur inside JSON strings, where the escape is
 * equivalent, so the result parses to exactly `value`.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE, (c) => {
    let out = '';
    for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return out;
  });
}
