/**
 * @module test/helpers/front-door-jam
 * A stranger at the service's unauthenticated front door (mesh-security-05 §3.12;
 * docs/security.md): valid, device-signed ConnectStarts built with the core library, sent
 * from a loopback address of its own (127.0.0.2 and up, all on `lo`), so the service's
 * per-source bounds tell the stranger apart from the owner and the real device on 127.0.0.1.
 * Also runs the built `mesh` CLI as a child process, asynchronously, because the service
 * under test runs in the test's own event loop.
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';

export interface StrangerReply {
  readonly http: number;
  readonly status: number | undefined;
  readonly retryAfter: number | undefined;
  readonly raw: string;
}

const agents = new Map<string, Agent>();

/** POSTs `body` to `url` from `localAddress` (a 127.x.y.z address), keep-alive per address. */
export function postFrom(
  url: string,
  body: string,
  localAddress = '127.0.0.2',
  headers: Record<string, string> = {},
): Promise<StrangerReply> {
  let agent = agents.get(localAddress);
  if (agent === undefined) {
    agent = new Agent({ keepAlive: true, localAddress, maxSockets: 16 });
    agents.set(localAddress, agent);
  }
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let inner: Record<string, unknown> | undefined;
          try {
            const json = JSON.parse(raw) as Record<string, Record<string, unknown>>;
            inner = json[Object.keys(json)[0] as string];
          } catch {
            inner = undefined;
          }
          const retry = inner?.['RetryAfter'];
          resolve({
            http: res.statusCode ?? 0,
            status: typeof inner?.['Status'] === 'number' ? (inner['Status'] as number) : undefined,
            retryAfter: typeof retry === 'number' ? retry : undefined,
            raw,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function closeStrangerAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

// The stranger's ConnectStart bodies are the soak's own, so the CI tests and the soak send the same requests.
export { strangerConnectStart, type StrangerOptions as StrangerRequestOptions } from '../../scripts/soak/soak-lib.js';

/** Sends every body with `concurrency` requests in flight; returns the count per Status (0: no parseable Status). */
export async function jam(
  url: string,
  bodies: readonly string[],
  options: { readonly concurrency?: number; readonly localAddress?: (i: number) => string } = {},
): Promise<{ counts: Map<number, number>; replies: StrangerReply[] }> {
  const counts = new Map<number, number>();
  const replies: StrangerReply[] = new Array(bodies.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const i = next++;
      const reply = await postFrom(url, bodies[i] as string, options.localAddress?.(i) ?? '127.0.0.2');
      replies[i] = reply;
      counts.set(reply.status ?? 0, (counts.get(reply.status ?? 0) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return { counts, replies };
}

export interface ProcessResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `node dist/mesh.mjs <args>` without blocking the event loop (the service is in it). */
export function runMeshProcess(args: readonly string[], timeoutMs = 60_000): Promise<ProcessResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/mesh.mjs', ...args], {
      env: { PATH: process.env['PATH'] ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        status: code ?? (signal === null ? -1 : 128),
        stdout: Buffer.concat(out).toString('utf8').trimEnd(),
        stderr: Buffer.concat(err).toString('utf8').trimEnd(),
        ms: performance.now() - started,
      });
    });
  });
}
