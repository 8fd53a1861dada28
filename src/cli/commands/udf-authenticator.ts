/**
 * @module cli/commands/udf-authenticator
 * `mesh udf authenticator`: the keyed (authenticator) UDF of a file under a key string
 * (udf-13 §5.2; docs/mesh-compatibility.md §1.3).
 */
import { keyedContentUdf } from '../../mesh/udf/keyed-udf.js';
import { forArgument, onePositional, optionalInteger, optionalString, requireString } from '../args.js';
import type { Command } from '../command.js';

export const udfAuthenticator: Command = {
  path: ['udf', 'authenticator'],
  summary: 'Print the authenticator UDF of a file under a key string (the string is used as typed).',
  usage: '--key <key-string> [--content-type CT] [--bits N] <file|->',
  options: {
    key: { type: 'string' },
    bits: { type: 'string' },
    'content-type': { type: 'string' },
  },
  async run(args, ctx) {
    const key = requireString(args, 'key');
    const bits = optionalInteger(args, 'bits', 140, 8, 440);
    // No content type is implied; absent means the empty content type.
    const contentType = optionalString(args, 'content-type') ?? '';
    const file = onePositional(args, 'file');
    const data = await ctx.readInput(file, '<file>');
    const udf = forArgument('--key', () => keyedContentUdf(data, contentType, key, bits));
    ctx.out(args.values['json'] ? JSON.stringify({ udf, bits, contentType }) : udf);
  },
};
