/**
 * @module service/transactions/hello
 * Hello (security-05 §3.5): the protocol version and encodings, and the service's own
 * ProfileService so a device can check the signature on AcknowledgeConnection
 * (docs/service-protocol.md "ConnectStart").
 */
import type { Transaction } from '../transaction.js';
import { HelloRequestSchema } from '../../mesh/messages/hello.js';

export const PROTOCOL_VERSION = Object.freeze({ Major: 3, Minor: 0, Encodings: ['application/json'] });

export const hello: Transaction<unknown> = {
  name: 'Hello',
  request: 'HelloRequest',
  response: 'HelloResponse',
  schema: HelloRequestSchema,
  authorization: { kind: 'none' },
  async handle(_request, { env }) {
    return {
      fields: {
        Version: PROTOCOL_VERSION,
        EnvelopedProfileService: env.identity.envelopedProfileService,
      },
    };
  },
};
