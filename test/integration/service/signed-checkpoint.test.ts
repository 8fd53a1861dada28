/**
 * @module test/integration/service/signed-checkpoint
 * Against the real service on loopback (file store and PostgreSQL): Status returns its log
 * head signed by the service's ServiceSignature key, which verifies against Hello's
 * ProfileService; Transfer's LogRange returns leaf hashes whose audit paths verify against
 * the signed checkpoint returned with them, and an altered leaf is refused; a constraint a
 * log range cannot apply is a 400 naming it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64urlDecode } from '../../../src/mesh/encoding/base64url.js';
import { InclusionProofError, verifyInclusion } from '../../../src/mesh/merkle-proof.js';
import { verifyCheckpoint } from '../../../src/mesh/signed-checkpoint.js';
import {
  TestOwner,
  post,
  startTestService,
  storeBackend,
  testRandom,
  type StoreBackend,
  type StoreKind,
  type TestService,
} from './service-harness.js';

for (const kind of ['file', 'postgres'] as StoreKind[]) {
  describe(`signed checkpoint and log range (${kind} store)`, () => {
    let backend: StoreBackend;
    let service: TestService;
    let owner: TestOwner;
    beforeAll(async () => {
      backend = await storeBackend(kind);
      service = await startTestService(await backend.fresh());
      owner = new TestOwner('alice@example.com', testRandom(17), service.clock, service.serviceProfile.udf);
      expect((await owner.create(service.url)).http).toBe(200);
    }, 120_000);
    afterAll(async () => {
      await service?.close();
      await backend?.stop();
    });

    it('Status carries a checkpoint signed by the service key, matching its unsigned fields', async () => {
      const reply = await post(service.url, { StatusRequest: {} });
      expect(reply.http).toBe(200);
      const signed = verifyCheckpoint(
        reply.body['EnvelopedCheckpoint'],
        service.serviceProfile.keys.serviceSignature,
        service.serviceProfile.udf,
      );
      expect(signed.statement.index).toBe(reply.body['CheckpointIndex']);
      expect(signed.statement.index).toBeGreaterThan(0);
      expect(base64urlDecode(reply.body['CheckpointValue'])).toEqual(signed.statement.root);
      expect(typeof reply.body['LastCheckpointTime']).toBe('string');
    });

    it('Transfer LogRange proves every entry against the signed checkpoint and an altered leaf fails', async () => {
      const body = JSON.stringify({ TransferRequest: { AccountAddress: owner.account, LogRange: { From: 1 } } });
      const reply = await post(service.url, body, owner.authorize(body));
      expect(reply.http).toBe(200);
      const { statement } = verifyCheckpoint(
        reply.body['EnvelopedCheckpoint'],
        service.serviceProfile.keys.serviceSignature,
        service.serviceProfile.udf,
      );
      const entries = reply.body['LogEntries'] as { Index: number; Leaf: string; Proof: string[] }[];
      expect(entries.length).toBe(statement.index);
      const claim = (e: { Index: number; Leaf: string; Proof: string[] }) => ({
        leaf: base64urlDecode(e.Leaf),
        index: e.Index - 1,
        size: statement.index,
        path: e.Proof.map((p) => base64urlDecode(p)),
        root: statement.root,
      });
      for (const e of entries) verifyInclusion(claim(e));
      const first = entries[0] as { Index: number; Leaf: string; Proof: string[] };
      const leaf = base64urlDecode(first.Leaf);
      leaf[0] = (leaf[0] as number) ^ 1;
      expect(() => verifyInclusion({ ...claim(first), leaf })).toThrow(InclusionProofError);
    });

    it('refuses a time constraint on a log range and a range past the checkpoint, naming the field', async () => {
      for (const request of [
        { LogRange: { From: 1 }, SearchConstraints: { NotBefore: '2026-01-01T00:00:00Z' } },
        { LogRange: { From: 1000 } },
      ]) {
        const body = JSON.stringify({ TransferRequest: { AccountAddress: owner.account, ...request } });
        const reply = await post(service.url, body, owner.authorize(body));
        expect(reply.http).toBe(400);
        expect(reply.body['StatusDescription']).toMatch(/TransferRequest\.(SearchConstraints\.NotBefore|LogRange)/);
      }
    });
  });
}
