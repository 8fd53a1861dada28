/**
 * @module service/transactions/hello
 * Hello (security-05 §3.5): the protocol version and encodings, and the service's own
 * ProfileService so a device can check the signature on AcknowledgeConnection
 * (docs/service-protocol.md "ConnectStart").
 */
import type { Transaction } from '../transaction.js';
import { HelloRequestSchema, SPOKEN_VERSION } from '../../mesh/messages/hello.js';

/**
 * The one version this service speaks and the encodings it accepts in it (mesh-security-05
 * §3.5): JSON only, as the front door parses nothing else (docs/service-protocol.md "Dialects").
 */
export const PROTOCOL_VERSION = SPOKEN_VERSION;

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
