/**
 * @module cli/commands/factory-label
 * `mesh factory label <preconfiguration> --out label.png|label.svg`: the device's label
 *, the QR code of its ConnectUri with its fingerprint (ProfileDevice UDF)
 * beneath. The input is the device's `.medk` or the maker's public record of it (no seed):
 * labels are printed from the maker's records. The label carries the ConnectUri, which
 * lets whoever reads it claim the device, so the file is written 0600 like the records.
 */
import { MeshError } from '../../crypto/errors.js';
import {
  LABEL_FORMATS,
  labelFormatOf,
  renderDeviceLabel,
  type LabelFormat,
} from '../../platform/label/device-label.js';
import { writePrivateFileAtomic } from '../../platform/fs/atomic-write.js';
import { forArgument, oneOf, onePositional, optionalInteger, requireString } from '../args.js';
import { UsageError } from '../cli-errors.js';
import type { Command } from '../command.js';
import { labelSourceOf } from '../factory/preconfiguration-file.js';

const ARGUMENT = '<preconfiguration>';

/** `--format`, else the extension of `--out`. */
export function labelFormatOption(
  values: Record<string, string | boolean | undefined>,
  out: string | undefined,
): LabelFormat {
  if (values['format'] !== undefined) return oneOf({ values, positionals: [] }, 'format', LABEL_FORMATS);
  const byName = out === undefined ? undefined : labelFormatOf(out);
  if (byName === undefined)
    throw new UsageError('expected a file name ending in .png or .svg (or give --format png|svg)', '--out');
  return byName;
}

export const factoryLabel: Command = {
  path: ['factory', 'label'],
  summary: "Draw a device's label: the QR code of its ConnectUri and its fingerprint beneath (PNG or SVG).",
  usage: `${ARGUMENT} --out <label.png|label.svg> [--format png|svg] [--scale 8] [--json]`,
  options: { out: { type: 'string' }, format: { type: 'string' }, scale: { type: 'string' } },
  async run(args, ctx) {
    const path = onePositional(args, 'preconfiguration');
    const out = requireString(args, 'out');
    const format = labelFormatOption(args.values, out);
    const scale = optionalInteger(args, 'scale', 8, 2, 40);
    const bytes = await ctx.readInput(path, ARGUMENT);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      throw new UsageError(`${JSON.stringify(path)} is not a JSON preconfiguration file`, ARGUMENT);
    }
    const source = forArgument(ARGUMENT, () => labelSourceOf(json));
    const label = forArgument(ARGUMENT, () =>
      renderDeviceLabel({
        connectUri: source.connectUri,
        deviceUdf: source.deviceUdf,
        format,
        options: { modulePixels: scale },
      }),
    );
    try {
      await writePrivateFileAtomic(out, label);
    } catch (cause) {
      if (cause instanceof MeshError) throw cause;
      throw new UsageError(
        `cannot write ${JSON.stringify(out)} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
        '--out',
        { cause },
      );
    }
    if (args.values['json']) {
      ctx.out(
        JSON.stringify({
          file: out,
          format,
          deviceUdf: source.deviceUdf,
          connectUri: source.connectUri,
          private: source.private,
          bytes: label.byteLength,
        }),
      );
    } else {
      ctx.out(`${source.deviceUdf} ${source.connectUri} -> ${out}`);
    }
  },
};
