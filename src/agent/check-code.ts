/**
 * @module agent/check-code
 * The countable check code of a connection witness: four digits, each 1–9, that
 * the status LED blinks as counts and that `mesh device pending` prints beside the witness,
 * so a person with only an LED can compare the device's request with the owner's.
 *
 * Definition (docs/led-and-console.md):
 * 1. W = the witness in canonical form: upper case, separators removed, a dash after every
 *    four characters (`canonicalUdfString`), so `abcd efgh…` and `ABCD-EFGH-…` agree;
 * 2. H = SHA-256(UTF-8(W)); if H runs out (it never does in practice), H continues with
 *    SHA-256(H) and so on;
 * 3. the bytes of H are read in order; a byte b < 252 (= 9 × 28) gives the digit 1 + (b mod 9),
 *    a byte ≥ 252 is skipped (rejection keeps the nine digits equally likely);
 * 4. the first four digits are the code, written as a string of four digits, e.g. `3715`.
 *
 * No zero: a zero cannot be blinked as a count. 9⁴ = 6561 codes (≈12.7 bits): enough to tell
 * one's own request from a neighbour's or a mistyped account, not a defence against an attacker
 * who can grind nonces; the full witness (serial console, `mesh-agent status`) is that.
 */
import { utf8 } from '../crypto/bytes.js';
import { sha256 } from '../crypto/hash.js';
import { canonicalUdfString } from '../mesh/udf/canonical.js';

export const CHECK_CODE_DIGITS = 4;
/** The largest multiple of 9 not above 256: bytes from here on are rejected. */
const REJECT_FROM = 252;

/**
 * The check code's digits (each 1–9), in blink order.
 * @throws InvalidEncodingError when `witness` has a character that is not Base32, '-' or white space
 */
export function checkCodeDigits(witness: string): number[] {
  let block = sha256(utf8(canonicalUdfString(witness, 'witness')));
  const digits: number[] = [];
  for (;;) {
    for (const b of block) {
      if (b >= REJECT_FROM) continue;
      digits.push(1 + (b % 9));
      if (digits.length === CHECK_CODE_DIGITS) return digits;
    }
    block = sha256(block);
  }
}

/** The check code as printed: four digits 1–9, e.g. `3715`. */
export function checkCode(witness: string): string {
  return checkCodeDigits(witness).join('');
}
