/**
 * @module test/helpers/terminal-qr
 * Reads back a QR code drawn in a terminal with half blocks (qrcode's `terminal` + `small`,
 * or `utf8`): each character is two modules stacked, `█` both dark, `▀` top, `▄` bottom, a
 * space neither, unless drawn in white (`terminal` draws the last half row that way). The matrix is painted into an RGBA image and
 * decoded with jsQR, so a test proves what a phone would read from the console.
 */
import jsqrModule from 'jsqr';

type JsQr = typeof jsqrModule.default;
// jsqr is CommonJS with an __esModule default: vitest hands over the function itself, plain
// Node the namespace (as test/integration/factory/label-decode.ts found).
const jsQR: JsQr = typeof jsqrModule === 'function' ? (jsqrModule as unknown as JsQr) : jsqrModule.default;

/** One row of characters as [char, drawn dark?]: `\x1b[37m` (white) draws light, `[30m`/`[0m` dark. */
function cells(row: string): Array<[string, boolean]> {
  const out: Array<[string, boolean]> = [];
  let dark = true;
  for (const part of row.replace(/\r$/, '').split(/(\x1b\[[0-9;]*m)/)) {
    const sgr = /^\x1b\[([0-9;]*)m$/.exec(part);
    if (sgr !== null) {
      for (const code of (sgr[1] ?? '').split(';')) {
        if (code === '37') dark = false;
        else if (code === '30' || code === '0' || code === '') dark = true;
      }
      continue;
    }
    for (const c of part) out.push([c, dark]);
  }
  return out;
}

export function decodeTerminalQr(rows: readonly string[]): string | undefined {
  const lines = rows.map(cells);
  const width = Math.max(...lines.map((l) => l.length));
  const modules: boolean[][] = [];
  for (const line of lines) {
    const padded = [...line, ...new Array<[string, boolean]>(width - line.length).fill([' ', true])];
    modules.push(padded.map(([c, dark]) => dark && (c === '█' || c === '▀')));
    modules.push(padded.map(([c, dark]) => dark && (c === '█' || c === '▄')));
  }
  // A quiet zone of 4 light modules all round, 6 pixels a module.
  const scale = 6;
  const quiet = 4;
  const w = (width + 2 * quiet) * scale;
  const h = (modules.length + 2 * quiet) * scale;
  const rgba = new Uint8ClampedArray(w * h * 4).fill(255);
  modules.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const i = (((y + quiet) * scale + dy) * w + (x + quiet) * scale + dx) * 4;
          rgba[i] = rgba[i + 1] = rgba[i + 2] = 0;
        }
      }
    }),
  );
  return jsQR(rgba, w, h)?.data;
}
