/**
 * @module test/unit/cli/hello-negotiation
 * Hello negotiation (mesh-security-05 §3.5) against a scripted HTTP server on 127.0.0.1: a
 * service whose Hello offers only protocol 4.0, or only JSON-B, is refused with a typed error
 * naming what it offered, by the owner CLI's helloService and by the agent's HTTP transport;
 * a service offering 3.x over JSON (also as an Alternate), or stating no Version at all, is used.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ServiceAnswerError,
  IncompatibleServiceError as AgentIncompatible,
} from '../../../src/agent/transport-errors.js';
import { HttpMeshTransport } from '../../../src/cli/agent/http-transport.js';
import { helloService, isServiceError } from '../../../src/cli/owner/owner-session.js';
import { SPOKEN_VERSION, checkHello } from '../../../src/mesh/messages/hello.js';
import { IncompatibleServiceError } from '../../../src/platform/http/hello-check.js';
import { MeshClient } from '../../../src/platform/http/mesh-client.js';

let hello: Record<string, unknown> = {};
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ HelloResponse: { Status: 201, StatusDescription: 'OK', ...hello } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const ONLY_4 = { Version: { Major: 4, Minor: 0, Encodings: ['JSON'] } };
const ONLY_JSON_B = { Version: { Major: 3, Minor: 0, Encodings: ['JSON-B'] } };

describe('Hello negotiation', () => {
  it('the owner CLI refuses a service that speaks only 4.0, naming the offer and what it speaks', async () => {
    hello = ONLY_4;
    const client = new MeshClient({ service: base });
    const refused = helloService(client);
    await expect(refused).rejects.toBeInstanceOf(IncompatibleServiceError);
    await expect(helloService(client)).rejects.toThrow(
      /speaks Mesh protocol 4\.0 \(JSON\); this client speaks 3\.0 over JSON/,
    );
    // A service-side failure: exit status 1, not bad input.
    expect(isServiceError(await refused.catch((e: unknown) => e))).toBe(true);
  });

  it('the owner CLI refuses a service that accepts only JSON-B', async () => {
    hello = ONLY_JSON_B;
    await expect(helloService(new MeshClient({ service: base }))).rejects.toThrow(/3\.0 \(JSON-B\)/);
  });

  it("the agent's transport refuses both with its own typed error, handled as an unusable answer", async () => {
    const transport = new HttpMeshTransport({});
    for (const offer of [ONLY_4, ONLY_JSON_B]) {
      hello = offer;
      const error = await transport.hello(base).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AgentIncompatible);
      expect(error).toBeInstanceOf(ServiceAnswerError);
      expect((error as AgentIncompatible).code).toBe('ERR_INCOMPATIBLE_SERVICE');
      expect((error as Error).message).toContain(base);
    }
  });

  it('uses a service offering 3.x over JSON as an alternate, under the reference spelling, or stating nothing', async () => {
    for (const offer of [
      { ...ONLY_4, Alternates: [{ Major: 3, Minor: 0, Encodings: ['JSON-B', 'JSON'] }] },
      { Version: { Major: 3, Minor: 1, Encodings: ['application/json'] } },
      {},
    ]) {
      hello = offer;
      await expect(new MeshClient({ service: base }).hello()).resolves.toMatchObject({ Status: 201 });
      await expect(new HttpMeshTransport({}).hello(base)).resolves.toEqual({});
    }
  });

  it('checkHello accepts what this implementation itself states', () => {
    expect(checkHello({ Version: { ...SPOKEN_VERSION, Encodings: [...SPOKEN_VERSION.Encodings] } })).toMatchObject({
      ok: true,
    });
    expect(checkHello({ Version: { Major: 2, Encodings: [] } })).toEqual({
      ok: false,
      offered: '2.0 (no encoding named)',
    });
  });
});
