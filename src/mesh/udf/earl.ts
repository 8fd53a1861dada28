/**
 * @module mesh/udf/earl
 * EARL (Encrypted Authenticated Resource Locator) content id: the name under which an
 * EARL-encrypted resource is published (udf-13 §6, docs/mesh-compatibility.md §1.5, §10 T6).
 */
import { InvalidArgumentError } from '../../crypto/errors.js';
import { utf8 } from '../../crypto/bytes.js';
import { UdfContentType, contentDigestUdf } from './content-digest.js';
import { canonicalUdfString } from './canonical.js';
import { DEFAULT_UDF_BITS, MAX_UDF_BITS, UdfType, parseUdfOfType } from './udf.js';

/**
 * ContentId = UDF_SHA2("UDFEncryption", UTF8(key string)) at min(2·keyBits, 440), as the
 * reference's `key earl` computes it. Unlike SymetricKeyId the *string* is hashed, so
 * it is canonicalised first (upper case, dash every four). `keyBits` is the random key
 * size the string was made from (140 by default, giving 280-bit ids): it cannot be
 * recovered from the string, whose last character is partial.
 */
export function earlContentId(keyUdf: string, keyBits: number = DEFAULT_UDF_BITS): string {
  if (!Number.isInteger(keyBits) || keyBits < 8) {
    throw new InvalidArgumentError(`"keyBits" expected an integer >= 8, got ${keyBits}`, {
      context: { what: 'keyBits', actual: keyBits },
    });
  }
  parseUdfOfType(keyUdf, [UdfType.EncryptionKey], 'an encryption key UDF', 'keyUdf');
  return contentDigestUdf(utf8(canonicalUdfString(keyUdf, 'keyUdf')), UdfContentType.UdfEncryption, {
    bits: Math.min(2 * keyBits, MAX_UDF_BITS),
  });
}

/** The EARL locator https://<domain>/.well-known/mmm-udf/<ContentId> (docs/mesh-compatibility.md §1.5, udf-13 §6). */
export function earlLocator(domain: string, contentId: string): string {
  if (
    typeof domain !== 'string' ||
    !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(domain)
  ) {
    throw new InvalidArgumentError(`"domain" expected a DNS name, got ${JSON.stringify(domain)}`, {
      context: { what: 'domain' },
    });
  }
  return `https://${domain}/.well-known/mmm-udf/${canonicalUdfString(contentId, 'contentId')}`;
}
