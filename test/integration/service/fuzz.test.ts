/**
 * @module test/integration/service/fuzz.test
 * Thousands of random and mutated bodies sent to a running service over HTTP.
 * Bodies are random JSON, valid requests of every transaction with fields removed, retyped or
 * swapped for hostile values (huge strings, deep nesting, `__proto__`, lone surrogates), over-
 * size and over-deep bodies, truncated JSON and raw garbage bytes, some with forged
 * Mesh-Authorization headers. Afterwards the service still answers, every reply was one
 * `{"<Name>Response": {Status, StatusDescription, …}}` object with a 2xx/4xx Status that the
 * HTTP status mirrors (never a 500 for input), and the store's log verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessageClaim } from '../../../src/mesh/connect/message-claim.js';
import { createMessagePin } from '../../../src/mesh/connect/message-pin.js';
import { newPin } from '../../../src/mesh/connect/pin.js';
import { createPublication } from '../../../src/mesh/connect/cataloged-publication.js';
import { createRequestConnection } from '../../../src/mesh/connect/request-connection.js';
import { acceptConnection } from '../../../src/mesh/connect/respond-connection.js';
import { verifyAcknowledgeConnection } from '../../../src/mesh/connect/acknowledge-connection.js';
import { recipientOf } from '../../../src/mesh/profiles/signed-object.js';
import { responseId } from '../../../src/mesh/udf/message-id.js';
import {
  TestOwner,
  post,
  seedOf,
  startTestService,
  storeBackend,
  testRandom,
  type StoreBackend,
  type TestService,
} from './service-harness.js';

const BODIES = Number(process.env['MESH_FUZZ_BODIES'] ?? 3000);
const CONCURRENCY = 16;

/** mulberry32: a small seeded generator, so a failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Case {
  readonly body: string | Uint8Array;
  readonly headers?: Record<string, string>;
  readonly what: string;
}

describe('fuzzing the running service', () => {
  let backend: StoreBackend;
  let service: TestService;
  const seeds: { name: string; request: Json; signedBy?: TestOwner }[] = [];

  beforeAll(async () => {
    backend = await storeBackend('file');
    service = await startTestService(await backend.fresh());
    const url = service.url;
    const alice = new TestOwner('alice@example.com', testRandom(101), service.clock, service.serviceProfile.udf);
    const bob = new TestOwner('bob@example.com', testRandom(102), service.clock, service.serviceProfile.udf);
    await alice.create(url);
    const random = testRandom(103);
    const device = createRequestConnection({
      deviceSeed: seedOf('MeshProfileDevice', random),
      accountAddress: 'alice@example.com',
      random,
    });
    const started = await post(url, {
      ConnectStartRequest: { AccountAddress: 'alice@example.com', EnvelopedRequestConnection: device.json },
    });
    const ack = verifyAcknowledgeConnection(started.body['EnvelopedAcknowledgeConnection'], {
      accountProfile: alice.profile,
    });
    const accepted = acceptConnection({
      acknowledgement: ack,
      accountProfile: alice.profile,
      accountKeys: alice.keys,
      random,
      now: service.clock.date(),
      additionalRecipients: [recipientOf(service.serviceProfile.keys.serviceEncryption!)],
    });
    const pin = createMessagePin({
      pin: newPin(random),
      accountAddress: 'alice@example.com',
      adminKey: alice.admin,
      expires: new Date(service.clock.now + 3600_000),
    });
    const published = createPublication({
      deviceSeed: seedOf('MeshProfileDevice', random),
      makerAccount: 'alice@example.com',
      random,
    });
    const claim = createMessageClaim({
      claimantProfile: bob.profile,
      adminKey: bob.admin,
      connectUri: published.connectUri,
      random,
    });
    const j = <T>(v: T): Json => JSON.parse(JSON.stringify(v)) as Json;
    seeds.push(
      { name: 'HelloRequest', request: {} },
      { name: 'ValidateRequest', request: { Account: 'carol@example.com', Reserve: true, Language: ['en-uk'] } },
      {
        name: 'CreateRequest',
        request: { Account: 'bob@example.com', EnvelopedProfileAccount: j(bob.profile.json) },
        signedBy: bob,
      },
      { name: 'DeleteRequest', request: { Account: 'bob@example.com' }, signedBy: bob },
      {
        name: 'GetRequest',
        request: {
          Account: 'alice@example.com',
          KeyValues: [{ Key: 'Devices' }],
          SearchConstraints: { MaxEntries: 5 },
        },
      },
      { name: 'GetRequest', request: { Identifier: published.publicationId } },
      {
        name: 'PublishRequest',
        request: { Account: 'alice@example.com', CatalogedPublication: j(published.publication) },
        signedBy: alice,
      },
      { name: 'StatusRequest', request: {} },
      {
        name: 'ConnectStartRequest',
        request: { AccountAddress: 'alice@example.com', EnvelopedRequestConnection: j(device.json) },
      },
      {
        name: 'ConnectStatusRequest',
        request: { AccountAddress: 'alice@example.com', ResponseId: responseId(ack.messageId) },
      },
      {
        name: 'ConnectPendingRequest',
        request: { AccountAddress: 'alice@example.com', SearchConstraints: { MaxEntries: 3 } },
        signedBy: alice,
      },
      {
        name: 'ConnectCompleteRequest',
        request: { AccountAddress: 'alice@example.com', EnvelopedRespondConnection: j(accepted.json) },
        signedBy: alice,
      },
      {
        name: 'PinRegisterRequest',
        request: { AccountAddress: 'alice@example.com', EnvelopedMessagePin: j(pin.json) },
        signedBy: alice,
      },
      { name: 'TransferRequest', request: { AccountAddress: 'alice@example.com' }, signedBy: alice },
      { name: 'ClaimRequest', request: { EnvelopedMessageClaim: j(claim.json) } },
      {
        name: 'PollClaimRequest',
        request: { PublicationId: published.publicationId, TargetAccountAddress: 'alice@example.com' },
      },
    );
  });

  afterAll(async () => {
    await service?.close();
    await backend?.stop();
  });

  it(`answers ${BODIES} random and mutated bodies in the protocol's shape, stays up, and the log verifies`, async () => {
    const rnd = prng(Number(process.env['MESH_FUZZ_SEED'] ?? 20261121));
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
    const int = (n: number): number => Math.floor(rnd() * n);

    const hostileStrings = [
      '',
      ' ',
      'x'.repeat(5000),
      '\u0000',
      '\ud800',
      '\u202e',
      '__proto__',
      'constructor',
      '../../etc/passwd',
      'alice@example.com',
      'ALICE@EXAMPLE.COM',
      'a@b',
      '@',
      'MBAL-RRED-SGOJ-EBJC',
      'k1.AAAA',
      '1e309',
      '{"a":1}',
      '🙂'.repeat(100),
    ];
    const randomJson = (depth: number): Json => {
      const r = int(depth > 4 ? 5 : 8);
      if (r === 0) return null;
      if (r === 1) return rnd() < 0.5;
      if (r === 2) return pick([0, -1, 1.5, 2 ** 53, -(2 ** 60), 1e308, 201]);
      if (r === 3 || r === 4) return pick(hostileStrings);
      if (r === 5 || r === 6) return Array.from({ length: int(4) }, () => randomJson(depth + 1));
      const o: { [key: string]: Json } = {};
      for (let i = int(4); i > 0; i--)
        o[pick(['Account', 'AccountAddress', 'ResponseId', '__proto__', 'x', 'EnvelopedProfileAccount', 'PageKey'])] =
          randomJson(depth + 1);
      return o;
    };
    const mutate = (value: Json, depth = 0): Json => {
      if (value === null || typeof value !== 'object' || rnd() < 0.25 || depth > 6) return randomJson(depth);
      const copy: any = Array.isArray(value) ? [...value] : { ...value };
      const keys = Object.keys(copy);
      if (keys.length === 0) return randomJson(depth);
      const key = pick(keys);
      const op = int(4);
      if (op === 0 && !Array.isArray(copy)) delete copy[key];
      else if (op === 1) copy[key] = randomJson(depth + 1);
      else copy[key] = mutate(copy[key] as Json, depth + 1);
      return copy as Json;
    };
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);

    const makeCase = (i: number): Case => {
      const kind = i % 10;
      const seed = pick(seeds);
      if (kind === 0) return { what: 'random JSON', body: JSON.stringify(randomJson(0)) };
      if (kind === 1)
        return {
          what: 'random request',
          body: JSON.stringify({ [pick([...seeds.map((s) => s.name), 'NoSuchRequest', 'Request'])]: randomJson(1) }),
        };
      if (kind === 2) {
        const bytes = new Uint8Array(1 + int(300));
        for (let k = 0; k < bytes.length; k++) bytes[k] = int(256);
        return { what: 'garbage bytes', body: bytes };
      }
      if (kind === 3) {
        const text = JSON.stringify({ [seed.name]: seed.request });
        return { what: 'truncated', body: text.slice(0, int(text.length)) };
      }
      if (kind === 4) {
        const r = int(5);
        if (r === 0) return { what: 'too deep', body: `{"GetRequest": {"Account": ${deep(40 + int(1000))}}}` };
        if (r === 1)
          return {
            what: 'too large',
            body: `{"ValidateRequest": {"Account": "${'a'.repeat(256 * 1024 + int(1000))}"}}`,
          };
        if (r === 2)
          return { what: 'two members', body: JSON.stringify({ [seed.name]: seed.request, StatusRequest: {} }) };
        if (r === 3) return { what: 'top-level array', body: JSON.stringify([seed.name, seed.request]) };
        return { what: 'deep inside limit', body: `{"${seed.name}": ${deep(30)}}` };
      }
      // Valid requests, mutated; signed ones half the time with a correct header over the mutated body.
      const mutated = kind === 5 ? seed.request : mutate(seed.request);
      const body = JSON.stringify({ [seed.name]: mutated });
      let headers: Record<string, string> | undefined;
      if (seed.signedBy !== undefined && rnd() < 0.5) headers = seed.signedBy.authorize(body);
      else if (rnd() < 0.2)
        headers = {
          'mesh-authorization': pick([
            'Mesh',
            'Mesh a="b"',
            `Mesh account="alice@example.com", kid="${'A'.repeat(3000)}"`,
            'Basic Zm9v',
            'Mesh account="alice@example.com", kid="x", created="2026-11-21T10:00:00Z", nonce="AAAAAAAAAAAAAAAAAAAAAA", signature="@@"',
          ]),
        };
      return { what: `mutated ${seed.name}`, body, ...(headers === undefined ? {} : { headers }) };
    };

    const problems: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < BODIES) {
        const i = next++;
        const c = makeCase(i);
        try {
          const response = await fetch(service.url, {
            method: 'POST',
            body: c.body,
            headers: { 'content-type': 'application/json', ...c.headers },
          });
          const raw = await response.text();
          const json = JSON.parse(raw) as Record<string, any>;
          const names = Object.keys(json);
          const inner = json[names[0] as string];
          const status = inner?.Status;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          const ok =
            names.length === 1 &&
            /Response$/.test(names[0] as string) &&
            Number.isInteger(status) &&
            typeof inner.StatusDescription === 'string' &&
            ((status >= 200 && status < 300) || (status >= 400 && status < 500)) &&
            response.status === (status === 201 ? 200 : status);
          if (!ok) problems.push(`#${i} ${c.what}: HTTP ${response.status} ${raw.slice(0, 300)}`);
        } catch (error) {
          problems.push(`#${i} ${c.what}: ${String(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(problems.slice(0, 10)).toEqual([]);
    // Some of everything: successes, refusals of each kind.
    expect(statuses.get(201)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(statuses.get(413)).toBeGreaterThan(0);

    const hello = await post(service.url, { HelloRequest: {} });
    expect(hello.body['Status']).toBe(201);
    const report = await service.running.store.verify();
    expect(report.entries).toBeGreaterThan(0);
  }, 120_000);
});
