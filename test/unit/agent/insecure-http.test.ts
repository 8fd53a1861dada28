/**
 * @module test/unit/agent/insecure-http
 * The agent's transport policy: its configuration refuses a plain http:// service that is not
 * on loopback (naming the field and the override), `"allowInsecureHttp": true` lets it in,
 * and the agent's HTTP transport refuses such a URL before any request is made (the fetch it
 * is given is never called) unless built with the override. No connection leaves loopback:
 * the one allowed request goes to an injected fetch.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/agent/config/config-error.js';
import { validateAgentConfig } from '../../../src/agent/config/validate-agent-config.js';
import { HttpMeshTransport } from '../../../src/cli/agent/http-transport.js';
import { InsecureTransportError } from '../../../src/platform/http/http-errors.js';

const REMOTE = 'http://192.0.2.1:15099/';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('agent configuration: plain http', () => {
  it('refuses an owner or claims service over plain http to a non-loopback host, naming the field and the override', () => {
    const owner = configError(() =>
      validateAgentConfig({ owners: [{ account: 'alice@example.com', service: REMOTE }] }),
    );
    expect(owner.message).toContain('$.owners[0].service');
    expect(owner.message).toContain('plain http to 192.0.2.1');
    expect(owner.message).toContain('"allowInsecureHttp": true');
    const claims = configError(() =>
      validateAgentConfig({
        preconfiguration: '/var/lib/mesh-agent/device.medk',
        claims: { account: 'devices@maker.example', service: 'http://maker.example/' },
      }),
    );
    expect(claims.message).toContain('$.claims.service');
  });

  it('accepts loopback and https without the override, and plain http anywhere with it', () => {
    for (const service of [
      'http://127.0.0.1:15099',
      'http://localhost:8080/',
      'http://[::1]:9/',
      'https://192.0.2.1/',
    ]) {
      expect(
        validateAgentConfig({ owners: [{ account: 'alice@example.com', service }] }).allowInsecureHttp,
        service,
      ).toBeUndefined();
    }
    const allowed = validateAgentConfig({
      allowInsecureHttp: true,
      owners: [{ account: 'alice@example.com', service: REMOTE }],
    });
    expect(allowed.allowInsecureHttp).toBe(true);
    expect(allowed.owners[0]?.service).toBe(REMOTE);
  });

  it('refuses an allowInsecureHttp that is not a boolean', () => {
    expect(configError(() => validateAgentConfig({ allowInsecureHttp: 'yes' })).message).toContain(
      '$.allowInsecureHttp',
    );
  });
});

describe('agent HTTP transport: plain http', () => {
  it('refuses before any request, naming the config field', async () => {
    let calls = 0;
    const fetchSpy: typeof fetch = async () => {
      calls += 1;
      return new Response('{}');
    };
    const transport = new HttpMeshTransport({ fetch: fetchSpy });
    const failure = await transport.hello(REMOTE).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(InsecureTransportError);
    expect((failure as Error).message).toMatch(
      /^plain http to 192\.0\.2\.1 would expose .*"allowInsecureHttp": true in the agent configuration$/,
    );
    expect(calls).toBe(0);
  });

  it('sends with the override', async () => {
    const urls: string[] = [];
    const fetchSpy: typeof fetch = async (url) => {
      urls.push(String(url));
      return new Response(JSON.stringify({ HelloResponse: { Status: 201 } }), {
        headers: { 'content-type': 'application/json' },
      });
    };
    const transport = new HttpMeshTransport({ fetch: fetchSpy, allowInsecureHttp: true });
    await transport.hello(REMOTE);
    expect(urls).toEqual(['http://192.0.2.1:15099/.well-known/mmm/']);
  });
});
