/**
 * @module mesh/schema/json-text
 * Parsing JSON text from an envelope payload. Strict `JSON.parse` first; if that fails, one
 * retry with line breaks (and the indentation after them) removed from inside string
 * literals, because the reference's documentation examples wrap long strings across lines
 * (docs/mesh-compatibility.md §14.3) and the reference reader tolerates it. Outside strings a line
 * break is ordinary white space, and a well-formed payload never has a raw line break inside
 * a string, so the retry cannot change the meaning of valid JSON.
 *
 * Errors never carry the engine's SyntaxError: its message quotes the input, which may be a
 * decrypted payload holding keys.
 */
import { fail } from './schema.js';

/** Removes CR/LF and the spaces that follow them, inside string literals only. */
export function unwrapStringLineBreaks(text: string): string {
  let out = '';
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (inString) {
      if (escaped) {
        escaped = false;
      } else if (ch === '\\') {
        escaped = true;
      } else if (ch === '"') {
        inString = false;
      } else if (ch === '\n' || ch === '\r') {
        while (
          i + 1 < text.length &&
          (text[i + 1] === ' ' || text[i + 1] === '\t' || text[i + 1] === '\n' || text[i + 1] === '\r')
        )
          i++;
        continue;
      }
    } else if (ch === '"') {
      inString = true;
    }
    out += ch;
  }
  return out;
}

export function parseJsonText(text: string, path = 'payload'): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // fall through to the tolerant retry
  }
  try {
    return JSON.parse(unwrapStringLineBreaks(text));
  } catch {
    return fail(path, 'JSON text', `text of length ${text.length} that is not JSON`);
  }
}
