/**
 * @module service/request-schemas
 * Schemas shared by several requests (security-05 §3.4 KeyValue and SearchConstraints, and
 * the account address every account-scoped request names), built with the same schema
 * library as the Mesh objects so a bad field fails with the same full-path SchemaError.
 */
import {
  dateTime,
  envelope,
  fail,
  integer,
  kindOf,
  object,
  optional,
  required,
  string,
  type Infer,
  type Schema,
} from '../mesh/schema/index.js';
import { MAX_ACCOUNT_LENGTH, normalizeAccountAddress } from './account-names.js';
import { readProfileAccount, type VerifiedAccount } from './profile-checks.js';

/**
 * A Mesh account address, user@domain (docs/mesh-compatibility.md §1.5), in the service's normal form
 * (account-names: ASCII only, nothing trimmed or folded but the case), so every entry point
 * keys records, PIN counters and rate limits the same way and `Alice@Example.com` names the
 * same account.
 */
export function accountAddress(): Schema<string> {
  const expected = 'an account address user@domain';
  const check = (value: unknown, path: string): string => {
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ACCOUNT_LENGTH) fail(path, expected, kindOf(value));
    try {
      return normalizeAccountAddress(value, path);
    } catch (cause) {
      return fail(path, expected, 'a string that is not user@domain', cause);
    }
  };
  return { expected, parse: (json, path = 'value') => check(json, path), toJson: (value, path = 'value') => check(value, path) };
}

/** A UDF-like identifier: Base32 groups and dashes, bounded (PinId, ResponseId, PublicationId, device UDFs). */
export function udfString(): Schema<string> {
  const expected = 'a UDF string (Base32 with dashes, at most 128 characters)';
  const check = (value: unknown, path: string): string => {
    if (typeof value !== 'string' || !/^[A-Za-z2-7]+(?:-[A-Za-z2-7]+)*$/.test(value) || value.length > 128) {
      fail(path, expected, kindOf(value));
    }
    return value.toUpperCase();
  };
  return { expected, parse: (json, path = 'value') => check(json, path), toJson: (value, path = 'value') => check(value, path) };
}

export const KeyValueSchema = object('KeyValue', {
  Key: required(string({ minLength: 1, maxLength: 64 })),
  Value: optional(string({ maxLength: 512 })),
});
export type KeyValue = Infer<typeof KeyValueSchema>;

export const SearchConstraintsSchema = object('SearchConstraints', {
  NotBefore: optional(dateTime()),
  Before: optional(dateTime()),
  MaxEntries: optional(integer({ min: 1, max: 1000 })),
  MaxBytes: optional(integer({ min: 1 })),
  PageKey: optional(string({ minLength: 1, maxLength: 1024 })),
});
export type SearchConstraints = Infer<typeof SearchConstraintsSchema>;

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
