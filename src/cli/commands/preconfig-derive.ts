/**
 * @module cli/commands/preconfig-derive
 * `mesh preconfig derive`: the static-QR material of a preconfigured device — ConnectUri,
 * PublicationId, the publication's Authenticator and, for a claimant, the two claim
 * authenticators (docs/mesh-compatibility.md §6.1 "Static-QR material", §6.2 (b)).
 */
import {
  connectKey,
  deviceAuthenticate,
  publicationId,
  serviceAuthenticate,
  serviceAuthenticator,
} from '../../mesh/connect/static-qr.js';
import { checkAccountAddress, connectUri } from '../../mesh/connect/connect-uri.js';
import { UsageError } from '../cli-errors.js';
import { forArgument, optionalInteger, optionalString, requireString } from '../args.js';
import type { Command } from '../command.js';

export const preconfigDerive: Command = {
  path: ['preconfig', 'derive'],
  summary: 'Derive the ConnectUri, PublicationId and claim authenticators of a device seed.',
  usage: '--seed <ZAA...> --maker <account> [--bits 120] [--claimant <account>] [--json]',
  options: {
    seed: { type: 'string' },
    maker: { type: 'string' },
    bits: { type: 'string' },
    claimant: { type: 'string' },
  },
  async run(args, ctx) {
    const seed = requireString(args, 'seed');
    const maker = requireString(args, 'maker');
    const bits = optionalInteger(args, 'bits', 120, 64, 512);
    const claimant = optionalString(args, 'claimant');
    if (bits % 8 !== 0) throw new UsageError(`expected a multiple of 8, got ${bits}`, '--bits');
    forArgument('--maker', () => checkAccountAddress(maker, 'maker'));
    const key = forArgument('--seed', () => connectKey(seed, maker, bits));
    const result: Record<string, string> = {
      connectUri: connectUri(maker, key),
      publicationId: publicationId(key),
      authenticator: serviceAuthenticator(key),
    };
    if (claimant !== undefined) {
      result['serviceAuthenticate'] = forArgument('--claimant', () => serviceAuthenticate(claimant, key));
      result['deviceAuthenticate'] = deviceAuthenticate(claimant, key);
    }
    ctx.out(args.values['json'] ? JSON.stringify(result) : (result['connectUri'] as string));
  },
};
