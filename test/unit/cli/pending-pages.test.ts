/**
 * @module test/unit/cli/pending-pages
 * How the owner CLI walks ConnectPending, against a scripted service on 127.0.0.1: through
 * empty pages that carry a PageKey, asking MaxEntries and MaxBytes each time, to the page
 * without one; a PageKey the service repeats, or more pages than the bound, ends the walk
 * with PendingListIncompleteError saying the list is incomplete.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeshClient } from '../../../src/platform/http/mesh-client.js';
import type { OwnerSession } from '../../../src/cli/owner/owner-session.js';
import {
  PENDING_PAGE_BYTES,
  PENDING_PAGE_ENTRIES,
  PendingListIncompleteError,
  pendingPages,
} from '../../../src/cli/owner/pending-requests.js';

const ENTRY = { EnvelopedAcknowledgeConnection: [{ EnvelopeId: 'MAAA' }, 'e30'], PinValidated: false };
let answer: (pageKey: string | undefined) => { Pending: unknown[]; PageKey?: string } = () => ({ Pending: [] });
const asked: any[] = [];
let server: Server;
let session: OwnerSession;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = JSON.parse(Buffer.concat(chunks).toString('utf8')).ConnectPendingRequest;
      asked.push(request);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ ConnectPendingResponse: { Status: 201, ...answer(request.SearchConstraints?.PageKey) } }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = new MeshClient({ service: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  session = { client, record: { Account: 'alice@example.com' }, signer: () => 'signed' } as unknown as OwnerSession;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function walk(maxPages?: number): Promise<{ pages: number[]; error?: unknown }> {
  const pages: number[] = [];
  try {
    for await (const page of pendingPages(session, maxPages)) pages.push(page.length);
  } catch (error) {
    return { pages, error };
  }
  return { pages };
}

describe('pendingPages', () => {
  it('follows PageKey through empty pages to the last page, asking MaxEntries and MaxBytes', async () => {
    asked.length = 0;
    // Five empty pages (expired entries skipped), then the live request on the last one.
    answer = (key) => {
      const n = key === undefined ? 0 : Number(key.slice(1));
      return n < 5 ? { Pending: [], PageKey: `p${n + 1}` } : { Pending: [ENTRY] };
    };
    expect(await walk()).toEqual({ pages: [0, 0, 0, 0, 0, 1] });
    expect(asked.map((a) => a.SearchConstraints)).toEqual([
      { MaxEntries: PENDING_PAGE_ENTRIES, MaxBytes: PENDING_PAGE_BYTES },
      ...[1, 2, 3, 4, 5].map((n) => ({
        MaxEntries: PENDING_PAGE_ENTRIES,
        MaxBytes: PENDING_PAGE_BYTES,
        PageKey: `p${n}`,
      })),
    ]);
    expect(PENDING_PAGE_BYTES).toBeLessThanOrEqual((4 * 1024 * 1024) / 4);
  });

  it('stops on a PageKey the service already returned, saying the list is incomplete', async () => {
    answer = (key) =>
      key === undefined
        ? { Pending: [ENTRY], PageKey: 'a' }
        : key === 'a'
          ? { Pending: [], PageKey: 'b' }
          : { Pending: [], PageKey: 'a' };
    const { pages, error } = await walk();
    expect(pages).toEqual([1, 0, 0]);
    expect(error).toBeInstanceOf(PendingListIncompleteError);
    expect((error as Error).message).toMatch(
      /returned a PageKey it had already returned \(page 3\); stopped to avoid a loop, so the pending list is incomplete$/,
    );
  });

  it('stops after the page bound, saying so', async () => {
    let n = 0;
    answer = () => ({ Pending: [], PageKey: `k${++n}` });
    const { pages, error } = await walk(7);
    expect(pages).toHaveLength(7);
    expect(error).toBeInstanceOf(PendingListIncompleteError);
    expect((error as Error).message).toMatch(
      /still had more after 7 pages; stopped, so the pending list is incomplete/,
    );
  });
});
