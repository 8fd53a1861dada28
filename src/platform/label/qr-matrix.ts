/**
 * @module platform/label/qr-matrix
 * The QR code symbol of a label's text as a plain matrix of modules (qrcode's
 * `create(...).modules`, docs/decisions/0014-labels-in-javascript.md), so the PNG and SVG renderers draw it
 * themselves. Error correction M (15 %) survives a scuffed or slightly blurred print of a
 * ConnectUri while keeping the symbol small (version 4-5 for a 120-bit key).
 */
import { create as createQrCode } from 'qrcode';
import { InvalidArgumentError } from '../../crypto/errors.js';

export type ErrorCorrection = 'L' | 'M' | 'Q' | 'H';

export interface QrMatrix {
  /** Modules per side. */
  readonly size: number;
  readonly version: number;
  /** Row-major, 1 = dark. */
  readonly modules: Uint8Array;
}

export function qrMatrix(text: string, errorCorrection: ErrorCorrection = 'M'): QrMatrix {
  if (typeof text !== 'string' || text.length === 0) {
    throw new InvalidArgumentError('"text" expected a non-empty string to encode', { context: { what: 'text' } });
  }
  let symbol: ReturnType<typeof createQrCode>;
  try {
    symbol = createQrCode(text, { errorCorrectionLevel: errorCorrection });
  } catch (cause) {
    // qrcode throws a bare Error when the text does not fit version 40.
    throw new InvalidArgumentError(`"text" cannot be encoded as a QR code (${(cause as Error).message})`, {
      cause,
      context: { what: 'text' },
    });
  }
  const { size, data } = symbol.modules;
  return { size, version: symbol.version, modules: Uint8Array.from(data, (v) => (v ? 1 : 0)) };
}
