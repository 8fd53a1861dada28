/**
 * @module platform/label/label-layout
 * The geometry both label renderers share: the QR symbol with its 4-module
 * quiet zone (ISO/IEC 18004 §6.3.8; text never enters it), then the device fingerprint
 * beneath in lines broken at the UDF's dashes, each line centred. Units are pixels of the
 * PNG; the SVG uses the same numbers as user units, so the two formats look alike.
 */
import { InvalidArgumentError } from '../../crypto/errors.js';
import { GLYPH_HEIGHT, GLYPH_WIDTH, drawable } from './bitmap-font.js';
import type { QrMatrix } from './qr-matrix.js';

export const QUIET_ZONE_MODULES = 4;
export const DEFAULT_MODULE_PIXELS = 8;

export interface LabelOptions {
  /** Pixels per QR module (2-40). */
  readonly modulePixels?: number;
}

export interface LabelLayout {
  readonly width: number;
  readonly height: number;
  readonly modulePixels: number;
  /** Top-left of the symbol (inside the quiet zone). */
  readonly qrOffset: number;
  /** Pixels per font pixel. */
  readonly textScale: number;
  /** Horizontal advance of one character. */
  readonly charAdvance: number;
  readonly lineHeight: number;
  /** y of the first text line's top. */
  readonly textTop: number;
  readonly lines: readonly string[];
}

/** Splits `text` at dashes (kept at line ends) into lines of at most `maxChars`. */
export function wrapAtDashes(text: string, maxChars: number): string[] {
  const groups = text.split('-').map((g, i, all) => (i < all.length - 1 ? `${g}-` : g));
  const lines: string[] = [];
  let line = '';
  for (let group of groups) {
    while (group.length > maxChars) {
      // A group wider than a line (not the case for UDFs, whose groups are 4): hard split.
      if (line !== '') {
        lines.push(line);
        line = '';
      }
      lines.push(group.slice(0, maxChars));
      group = group.slice(maxChars);
    }
    if (line.length + group.length > maxChars && line !== '') {
      lines.push(line);
      line = '';
    }
    line += group;
  }
  if (line !== '') lines.push(line);
  return lines;
}

export function labelLayout(matrix: QrMatrix, text: string, options: LabelOptions = {}): LabelLayout {
  const modulePixels = options.modulePixels ?? DEFAULT_MODULE_PIXELS;
  if (!Number.isInteger(modulePixels) || modulePixels < 2 || modulePixels > 40) {
    throw new InvalidArgumentError(`"modulePixels" expected an integer from 2 to 40, got ${modulePixels}`, {
      context: { what: 'modulePixels' },
    });
  }
  if (!drawable(text)) {
    throw new InvalidArgumentError('"text" expected A-Z, 0-9, "-" or space (a UDF)', { context: { what: 'text' } });
  }
  const width = (matrix.size + 2 * QUIET_ZONE_MODULES) * modulePixels;
  const textScale = Math.max(1, Math.round(modulePixels / 4));
  const charAdvance = (GLYPH_WIDTH + 1) * textScale;
  const lineHeight = (GLYPH_HEIGHT + 3) * textScale;
  const maxChars = Math.max(1, Math.floor((width - 2 * modulePixels) / charAdvance));
  const lines = text === '' ? [] : wrapAtDashes(text.toUpperCase(), maxChars);
  const textTop = width;
  const height = width + lines.length * lineHeight + (lines.length === 0 ? 0 : 2 * modulePixels);
  return {
    width,
    height,
    modulePixels,
    qrOffset: QUIET_ZONE_MODULES * modulePixels,
    textScale,
    charAdvance,
    lineHeight,
    textTop,
    lines,
  };
}

/** Left x of a centred line (the trailing gap of the last glyph is not counted). */
export function lineLeft(layout: LabelLayout, line: string): number {
  const drawn = line.length * layout.charAdvance - layout.textScale;
  return Math.floor((layout.width - drawn) / 2);
}
