/**
 * @module mesh/udf/nonce
 * Nonce UDF: 0x68 ('N') ‖ random, used as message ids (docs/mesh-compatibility.md §1.4, §6.2 (a)).
 */
import { assertBytes } from '../../crypto/bytes.js';
import { InvalidArgumentError } from '../../crypto/errors.js';
import type { RandomSource } from '../../crypto/random.js';
import { DEFAULT_UDF_BITS, UdfType, presentUdf } from './udf.js';

/**
 * A fresh nonce UDF. The reference's UDF.Nonce() draws DefaultBits-8 = 132 bits
 * (17 bytes) and presents them with the type byte at 140 bits = 28 characters.
 */
export function nonceUdf(random: RandomSource, bits: number = DEFAULT_UDF_BITS - 8): string {
  if (!Number.isInteger(bits) || bits < 8 || bits > 512) {
    throw new InvalidArgumentError(`"bits" expected an integer from 8 to 512, got ${bits}`, {
      context: { what: 'bits', actual: bits },
    });
  }
  const length = Math.ceil(bits / 8);
  const bytes = random(length);
  assertBytes(bytes, 'random output', length);
  return presentUdf(UdfType.Nonce, bytes, bits + 8);
}
