/**
 * @module mesh/objects/cataloged-entry
 * `CatalogedEntry {Labels[]?}`: the abstract base of catalog records (seed §2.8.1). HEAD adds
 * `LocalName` and `Uid`; they are declared optional so they are type-checked when present.
 */
import { array, object, optional, string, type Infer } from '../schema/index.js';

export const CatalogedEntrySchema = object('CatalogedEntry', {
  Labels: optional(array(string())),
  LocalName: optional(string()),
  Uid: optional(string()),
});
export type CatalogedEntry = Infer<typeof CatalogedEntrySchema>;
