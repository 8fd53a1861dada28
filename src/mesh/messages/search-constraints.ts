/**
 * @module mesh/messages/search-constraints
 * The `KeyValue` and `SearchConstraints` structures requests share (security-05 §3.4):
 * which records a Get names, and how a listing is bounded and paged.
 */
import { dateTime, integer, object, optional, required, string, type Infer } from '../schema/index.js';

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
