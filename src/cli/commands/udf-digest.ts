/**
 * @module cli/commands/udf-digest
 * `mesh udf digest`: the content digest UDF of a file (udf-13 §5.1; docs/mesh-compatibility.md §1.2).
 */
import { contentDigestUdf } from '../../mesh/udf/content-digest.js';
import { forArgument, oneOf, onePositional, optionalInteger, requireString } from '../args.js';
import type { Command } from '../command.js';

export const udfDigest: Command = {
  path: ['udf', 'digest'],
  summary: 'Print the content digest UDF of a file (or - for standard input).',
  usage: '[--alg sha2|sha3] [--bits N] --content-type CT <file|->',
  options: {
    alg: { type: 'string' },
    bits: { type: 'string' },
    'content-type': { type: 'string' },
  },
  async run(args, ctx) {
    const alg = oneOf(args, 'alg', ['sha2', 'sha3'] as const, 'sha2');
    const bits = optionalInteger(args, 'bits', 140, 8, 440);
    // text/plain is deliberately not implied: the content type is part of the digest.
    const contentType = requireString(args, 'content-type');
    const file = onePositional(args, 'file');
    const data = await ctx.readInput(file, '<file>');
    const algorithm = alg === 'sha3' ? 'SHA3-512' : 'SHA2-512';
    const udf = forArgument('--bits', () => contentDigestUdf(data, contentType, { algorithm, bits }));
    ctx.out(args.values['json'] ? JSON.stringify({ udf, alg, bits, contentType }) : udf);
  },
};
