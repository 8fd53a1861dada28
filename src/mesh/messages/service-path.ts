/**
 * @module mesh/messages/service-path
 * Where every transaction is posted: `POST /.well-known/mmm/` with `{"<Name>Request": {…}}`
 * (architecture-03 §8; docs/service-protocol.md "Transport"). The service answers the path
 * with and without the final slash; a client sends this form.
 */
export const MESH_SERVICE_PATH = '/.well-known/mmm/';
