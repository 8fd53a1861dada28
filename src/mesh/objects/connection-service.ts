/**
 * @module mesh/objects/connection-service
 * `ConnectionService : Connection {ProfileUdf?}`: the small assertion a device presents to
 * the Mesh service — only the Authentication key (docs/mesh-compatibility.md §5, HEAD; §6.2 (b) 1 signs
 * one at preconfiguration). C-2021 declared it with no fields of its own; `ProfileUdf` (the
 * account profile) is HEAD's addition. HEAD's `Callsign` is kept as an unknown field.
 */
import { optional, string, type Infer } from '../schema/index.js';
import { ConnectionSchema } from './connection.js';

export const ConnectionServiceSchema = ConnectionSchema.extend('ConnectionService', {
  ProfileUdf: optional(string()),
});
export type ConnectionService = Infer<typeof ConnectionServiceSchema>;
