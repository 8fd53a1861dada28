/**
 * @module mesh/objects/activation
 * `Activation : Assertion {ActivationKey?, Entries[]?}` and `ActivationEntry {Resource, Key}`
 * (docs/mesh-compatibility.md §5; SchemaMesh C-2021). `ActivationKey` is the 'Z' seed (0x0103) from
 * which the device's key contributions are derived (§3 steps 1-2) — a secret, never echoed.
 * The seed (§2.6.6) has `EnvelopedConnection`; C-2021 dropped it (kept if present).
 */
import { array, object, optional, required, string, type Infer } from '../schema/index.js';
import { AssertionSchema } from './assertion.js';
import { KeyDataSchema } from './key-data.js';

export const ActivationEntrySchema = object('ActivationEntry', {
  Resource: required(string({ minLength: 1 })),
  Key: required(KeyDataSchema),
});
export type ActivationEntry = Infer<typeof ActivationEntrySchema>;

export const ActivationSchema = AssertionSchema.extend('Activation', {
  ActivationKey: optional(string({ minLength: 1 })),
  Entries: optional(array(ActivationEntrySchema)),
});
export type Activation = Infer<typeof ActivationSchema>;
