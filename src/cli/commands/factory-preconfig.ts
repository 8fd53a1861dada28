/**
 * @module cli/commands/factory-preconfig
 * `mesh factory preconfig`: one DevicePreconfiguration (`.medk`, docs/mesh-compatibility.md §5 and
 * §6.2 (b) 1) for one device: a fresh device seed from the system CSPRNG, its enveloped
 * ProfileDevice and the ConnectUri its label will carry. The file holds the device's seed,
 * so it is written 0600 and atomically; only the device should ever read it.
 */
import { systemRandom } from '../../crypto/random.js';
import { checkAccountAddress } from '../../mesh/connect/connect-uri.js';
import { createDevicePreconfiguration } from '../../mesh/connect/device-preconfiguration.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../mesh/udf/derived-key-seed.js';
import { forArgument, optionalInteger, optionalString, requireString } from '../args.js';
import { UsageError } from '../cli-errors.js';
import type { Command } from '../command.js';
import { preconfigurationText } from '../factory/factory-device.js';
import { writePrivateFileAtomic } from '../../platform/fs/atomic-write.js';

export const factoryPreconfig: Command = {
  path: ['factory', 'preconfig'],
  summary: 'Make the DevicePreconfiguration of one device (fresh seed, profile, ConnectUri) and write it 0600.',
  usage: '--maker <account> --out <file.medk> [--description TEXT] [--bits 120] [--json]',
  options: {
    maker: { type: 'string' },
    out: { type: 'string' },
    description: { type: 'string' },
    bits: { type: 'string' },
  },
  async run(args, ctx) {
    const maker = requireString(args, 'maker');
    forArgument('--maker', () => checkAccountAddress(maker, 'maker'));
    const out = requireString(args, 'out');
    const description = optionalString(args, 'description');
    const bits = optionalInteger(args, 'bits', 120, 64, 512);
    if (bits % 8 !== 0) throw new UsageError(`expected a multiple of 8, got ${bits}`, '--bits');
    const seed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, systemRandom);
    const created = createDevicePreconfiguration({
      deviceSeed: seed,
      makerAccount: maker,
      bits,
      ...(description === undefined ? {} : { description }),
    });
    await writePrivateFileAtomic(out, new TextEncoder().encode(preconfigurationText(created.preconfiguration)));
    ctx.out(
      args.values['json']
        ? JSON.stringify({ file: out, deviceUdf: created.deviceUdf, connectUri: created.connectUri })
        : `${created.deviceUdf} ${created.connectUri} -> ${out}`,
    );
  },
};
