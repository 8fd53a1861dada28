/**
 * @module platform/label/device-label
 * A device's label: the QR code of its ConnectUri with its fingerprint (the
 * ProfileDevice UDF) beneath, as PNG or SVG. The owner scans the code with `mesh device
 * claim` and compares the fingerprint it shows with the one printed here.
 */
import { InvalidArgumentError } from '../../crypto/errors.js';
import type { LabelOptions } from './label-layout.js';
import { renderPngLabel } from './png-label.js';
import { qrMatrix } from './qr-matrix.js';
import { renderSvgLabel } from './svg-label.js';

export const LABEL_FORMATS = ['png', 'svg'] as const;
export type LabelFormat = (typeof LABEL_FORMATS)[number];

export interface DeviceLabelInput {
  readonly connectUri: string;
  readonly deviceUdf: string;
  readonly format: LabelFormat;
  readonly options?: LabelOptions;
}

/** The label file's bytes. */
export function renderDeviceLabel(input: DeviceLabelInput): Uint8Array {
  const matrix = qrMatrix(input.connectUri);
  if (input.format === 'png') return renderPngLabel(matrix, input.deviceUdf, input.options);
  if (input.format === 'svg') {
    return new TextEncoder().encode(
      renderSvgLabel(matrix, input.deviceUdf, { ...input.options, title: `Mesh device ${input.deviceUdf}` }),
    );
  }
  throw new InvalidArgumentError(`"format" expected png or svg, got ${JSON.stringify(input.format)}`, {
    context: { what: 'format' },
  });
}

/** The format a file name asks for (by extension), or undefined. */
export function labelFormatOf(path: string): LabelFormat | undefined {
  const match = /\.(png|svg)$/i.exec(path);
  return match === null ? undefined : (match[1]!.toLowerCase() as LabelFormat);
}
