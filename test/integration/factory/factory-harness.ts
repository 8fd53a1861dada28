/**
 * @module test/integration/factory/factory-harness
 * What the factory integration tests share: running one `mesh` command in process with an
 * injected environment (fast backoff, progress every step), and an HTTP proxy in front of
 * the real service that can answer a transaction itself (a flaky or dishonest service).
 */
import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import { MeshError } from '../../../src/crypto/errors.js';
import { CheckFailedError } from '../../../src/cli/cli-errors.js';
import type { Command } from '../../../src/cli/command.js';
import type { CliResult } from '../../helpers/run-cli.js';

/** Runs `command` with `argv` as `mesh` would: exit 0, 1 (check failed) or 2 (bad input). */
export async function runCommand(command: Command, argv: readonly string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const ctx = {
    out: (l: string) => out.push(l),
    err: (l: string) => err.push(l),
    write: () => undefined,
    readInput: async () => new Uint8Array(),
    env: {},
  };
  let status = 0;
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: { json: { type: 'boolean' }, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    status =
      (await command.run(
        { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals },
        ctx,
      )) ?? 0;
  } catch (error) {
    err.push(`mesh ${command.path.join(' ')}: ${(error as Error).message}`);
    status = error instanceof CheckFailedError ? 1 : error instanceof MeshError ? 2 : 3;
  }
  return { status, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** The transaction's answer, or undefined to forward it to the real service. */
export type Intercept = (
  name: string,
  request: Record<string, unknown>,
  forward: () => Promise<{ status: number; body: string }>,
) => Promise<{ status: number; body: string } | undefined>;

export interface MeshProxy {
  readonly url: string;
  readonly seen: string[];
  close(): Promise<void>;
}

/** A proxy on 127.0.0.1 in front of `target` (a …/.well-known/mmm/ URL). */
export async function startProxy(target: string, intercept: Intercept): Promise<MeshProxy> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const parsed = JSON.parse(body.toString('utf8')) as Record<string, Record<string, unknown>>;
        const tag = Object.keys(parsed)[0] as string;
        const name = tag.replace(/Request$/, '');
        seen.push(name);
        const forward = async () => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          const auth = req.headers['mesh-authorization'];
          if (typeof auth === 'string') headers['mesh-authorization'] = auth;
          const r = await fetch(target, { method: 'POST', headers, body });
          return { status: r.status, body: await r.text() };
        };
        const answer = (await intercept(name, parsed[tag] as Record<string, unknown>, forward)) ?? (await forward());
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body);
      })().catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/mmm/`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
