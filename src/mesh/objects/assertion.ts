/**
 * @module mesh/objects/assertion
 * `Assertion`: the abstract base of profiles, connections and activations (seed §2.6.1;
 * SchemaMesh `Structure Assertion`). All its fields are optional and the connection flow
 * never sets them; they are declared so a peer that does set them gets type-checked values.
 * `Conditions` (an abstract TStruct with no defined members) is left to unknown-field
 * preservation.
 */
import { array, dateTime, object, optional, string, type Infer } from '../schema/index.js';

export const AssertionSchema = object('Assertion', {
  Names: optional(array(string())),
  Updated: optional(dateTime()),
  NotaryToken: optional(string()),
});
export type Assertion = Infer<typeof AssertionSchema>;
