/**
 * @module mesh/objects/connection
 * `Connection : Assertion {Subject?, Authority?, Authentication}`: the base of the
 * connection assertions that bind a device's keys to an account (docs/mesh-compatibility.md §5). The
 * seed (§2.6.5) calls the UDFs `SubjectUDF`/`AuthorityUDF`; the wire uses `Subject`/
 * `Authority`. `Authentication` is required: it is the key the service authenticates the
 * device with (§7).
 */
import { optional, required, string, type Infer } from '../schema/index.js';
import { AssertionSchema } from './assertion.js';
import { KeyDataSchema } from './key-data.js';

export const ConnectionSchema = AssertionSchema.extend('Connection', {
  Subject: optional(string()),
  Authority: optional(string()),
  Authentication: required(KeyDataSchema),
});
export type Connection = Infer<typeof ConnectionSchema>;
