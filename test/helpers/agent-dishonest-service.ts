/**
 * @module test/helpers/agent-dishonest-service
 * A FakeMeshService behind real HTTP on 127.0.0.1, speaking the service contract's JSON
 * (docs/service-protocol.md), so the real agent process can be pointed at a service that
 * answers whatever a test scripts through `mesh.override` (docs/decisions/0003-untrusted-service.md: the
 * service is not trusted, and the agent must notice).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeMeshService } from '../../src/agent/fakes/fake-mesh-service.js';
import { ServiceRefusedError } from '../../src/agent/transport-errors.js';

export class DishonestHttpService {
  readonly mesh: FakeMeshService;
  readonly server: Server;
  url = '';

  constructor(seed = 21) {
    this.mesh = new FakeMeshService(seed);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.#answer(Buffer.concat(chunks).toString('utf8')).then(([name, body]) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ [`${name}Response`]: body }));
        });
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/mmm/`;
    this.mesh.addService(this.url);
    return this.url;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async #answer(text: string): Promise<[string, Record<string, unknown>]> {
    const parsed = JSON.parse(text) as Record<string, Record<string, unknown>>;
    const tag = Object.keys(parsed)[0] as string;
    const name = tag.replace(/Request$/, '');
    const request = parsed[tag] as never;
    try {
      switch (name) {
        case 'Hello':
          return [name, { Status: 201, ...(await this.mesh.hello(this.url)) }];
        case 'ConnectStart':
          return [name, { Status: 201, ...(await this.mesh.connectStart(this.url, request)) }];
        case 'ConnectStatus': {
          const answer = await this.mesh.connectStatus(this.url, request);
          return [
            name,
            { Status: answer.Result === 'Pending' ? 202 : answer.Result === 'Expired' ? 410 : 201, ...answer },
          ];
        }
        case 'PollClaim':
          return [name, { Status: 201, ...(await this.mesh.pollClaim(this.url, request)) }];
        default:
          return [name, { Status: 400, StatusDescription: `not scripted: ${name}` }];
      }
    } catch (error) {
      if (error instanceof ServiceRefusedError)
        return [name, { Status: error.status, StatusDescription: error.message }];
      return [name, { Status: 500, StatusDescription: String(error) }];
    }
  }
}
