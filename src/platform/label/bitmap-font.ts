/**
 * @module platform/label/bitmap-font
 * A 5x7 bitmap font for the text under a label's QR code: the device
 * fingerprint is a Base32 UDF (A–Z, 2–7 and dashes, docs/mesh-compatibility.md §1), so upper-case
 * letters, digits, '-' and space suffice. Drawing the glyphs ourselves keeps the PNG label
 * free of a native canvas or a font file, and the output identical on every machine.
 */
import { InvalidArgumentError } from '../../crypto/errors.js';

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;

// Each glyph: 7 rows of 5 columns, '#' lit. Classic 5x7 shapes, with 0 slashed and I
// serifed so the characters a person compares are not confused.
const GLYPHS: Readonly<Record<string, string>> = {
  A: '.###. #...# #...# ##### #...# #...# #...#',
  B: '####. #...# #...# ####. #...# #...# ####.',
  C: '.###. #...# #.... #.... #.... #...# .###.',
  D: '###.. #..#. #...# #...# #...# #..#. ###..',
  E: '##### #.... #.... ####. #.... #.... #####',
  F: '##### #.... #.... ####. #.... #.... #....',
  G: '.###. #...# #.... #.### #...# #...# .####',
  H: '#...# #...# #...# ##### #...# #...# #...#',
  I: '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  J: '..### ...#. ...#. ...#. ...#. #..#. .##..',
  K: '#...# #..#. #.#.. ##... #.#.. #..#. #...#',
  L: '#.... #.... #.... #.... #.... #.... #####',
  M: '#...# ##.## #.#.# #.#.# #...# #...# #...#',
  N: '#...# #...# ##..# #.#.# #..## #...# #...#',
  O: '.###. #...# #...# #...# #...# #...# .###.',
  P: '####. #...# #...# ####. #.... #.... #....',
  Q: '.###. #...# #...# #...# #.#.# #..#. .##.#',
  R: '####. #...# #...# ####. #.#.. #..#. #...#',
  S: '.#### #.... #.... .###. ....# ....# ####.',
  T: '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  U: '#...# #...# #...# #...# #...# #...# .###.',
  V: '#...# #...# #...# #...# #...# .#.#. ..#..',
  W: '#...# #...# #...# #.#.# #.#.# #.#.# .#.#.',
  X: '#...# #...# .#.#. ..#.. .#.#. #...# #...#',
  Y: '#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..',
  Z: '##### ....# ...#. ..#.. .#... #.... #####',
  '0': '.###. #...# #..## #.#.# ##..# #...# .###.',
  '1': '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  '2': '.###. #...# ....# ...#. ..#.. .#... #####',
  '3': '##### ...#. ..#.. ...#. ....# #...# .###.',
  '4': '...#. ..##. .#.#. #..#. ##### ...#. ...#.',
  '5': '##### #.... ####. ....# ....# #...# .###.',
  '6': '..##. .#... #.... ####. #...# #...# .###.',
  '7': '##### ....# ...#. ..#.. .#... .#... .#...',
  '8': '.###. #...# #...# .###. #...# #...# .###.',
  '9': '.###. #...# #...# .#### ....# ...#. .##..',
  '-': '..... ..... ..... ##### ..... ..... .....',
  ' ': '..... ..... ..... ..... ..... ..... .....',
};

const PARSED = new Map<string, readonly boolean[]>(
  Object.entries(GLYPHS).map(([ch, rows]) => [ch, [...rows.replace(/ /g, '')].map((c) => c === '#')]),
);

/** Whether `text` can be drawn (after upper-casing). */
export function drawable(text: string): boolean {
  return [...text.toUpperCase()].every((c) => PARSED.has(c));
}

/** The lit pixels of one character, row-major GLYPH_WIDTH x GLYPH_HEIGHT. */
export function glyph(character: string): readonly boolean[] {
  const bits = PARSED.get(character.toUpperCase());
  if (bits === undefined) {
    throw new InvalidArgumentError(`"text" expected A-Z, 0-9, "-" or space, got ${JSON.stringify(character)}`, {
      context: { what: 'text' },
    });
  }
  return bits;
}
