/**
 * @module service/request-schemas
 * The one request field whose parse is the service's own check rather than the wire shape:
 * an `EnvelopedProfileAccount` verified as it is read. The shared field schemas (account
 * address, UDF strings, KeyValue, SearchConstraints) are the wire contract's
 * (src/mesh/messages).
 */
import { envelope, type Schema } from '../mesh/schema/index.js';
import { readProfileAccount, type VerifiedAccount } from './profile-checks.js';

/**
 * An `EnvelopedProfileAccount` field, verified while the request is parsed (self-signature,
 * KeyData fingerprints, key roles), so a handler and the signature check both see the
 * verified profile and nothing reads it twice.
 */
export function verifiedProfileAccount(): Schema<VerifiedAccount> {
  return {
    expected: 'a ProfileAccount envelope self-signed by its ProfileSignature key',
    parse: (json, path = 'EnvelopedProfileAccount') => readProfileAccount(envelope().parse(json, path), path),
    toJson: (value) => value.envelopeJson,
  };
}
