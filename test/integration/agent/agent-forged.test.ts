/**
 * @module test/integration/agent/agent-forged.test
 * The real agent process against a dishonest service (docs/decisions/0003-untrusted-service.md):
 * the service relays, one after another, an Accept signed by another account's admin key,
 * Alice's genuine Accept of an earlier request of this device (a replay), Alice's genuine
 * Accept of another device, and an answer signed by the service itself. Each is refused,
 * logged with its cause and shown as the owner's last error; the device stays pending and
 * connects only when Alice's own answer to this request arrives.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemRandom } from '../../../src/crypto/random.js';
import { createRequestConnection } from '../../../src/mesh/connect/request-connection.js';
import { acceptConnection } from '../../../src/mesh/connect/respond-connection.js';
import { sealObject, signerOf } from '../../../src/mesh/profiles/signed-object.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../src/mesh/udf/derived-key-seed.js';
import { envelopeId, responseId } from '../../../src/mesh/udf/message-id.js';
import { DishonestHttpService } from '../../helpers/agent-dishonest-service.js';
import { AgentProcess, runAgentCli, tempDirectory, writeConfig, stopAllAgents } from '../../helpers/agent-process.js';

let dishonest: DishonestHttpService;
const directories: string[] = [];
beforeAll(async () => {
  dishonest = new DishonestHttpService();
  await dishonest.start();
});
afterAll(async () => {
  await stopAllAgents();
  await dishonest.close();
  for (const d of directories) await rm(d, { recursive: true, force: true });
});

describe('mesh-agent against a dishonest service', () => {
  it('refuses forged, replayed, misdirected and self-signed answers; connects on the genuine one', async () => {
    const mesh = dishonest.mesh;
    const alice = mesh.addOwner('alice@example.com', dishonest.url);
    const mallory = mesh.addOwner('mallory@example.com', dishonest.url);
    const dir = await tempDirectory('mesh-agent-forged-');
    directories.push(dir);
    const config = await writeConfig(dir, {
      stateDirectory: join(dir, 'state'),
      owners: [{ account: 'alice@example.com', service: dishonest.url }],
      keystore: 'file',
      polling: { initialDelaySeconds: 0.05, maxDelaySeconds: 0.2, jitter: 0, honorRetryAfter: false },
    });
    let script: unknown = { Result: 'Pending' };
    mesh.override = (call) => (call.name === 'ConnectStatus' ? script : undefined);

    const agent = new AgentProcess(config);
    try {
      const first = (await agent.waitFor(/SHOW witness (\S+) for alice@example.com/))[1] as string;
      // Alice really accepts request 1, but the service holds the answer back and says Expired.
      const earlier = mesh.accept(alice, first);
      script = { Result: 'Expired' };
      const second = (
        await agent.waitFor(
          /SHOW witness (\S+) for alice@example.com/,
          15_000,
          agent.lines.findIndex((l) => l.includes(`SHOW witness ${first}`)) + 1,
        )
      )[1] as string;
      expect(second).not.toBe(first);
      const [ack] = mesh.pending(alice);
      expect(ack?.witness).toBe(second);

      const refusals: Array<[string, unknown, RegExp]> = [];
      // 1. Forged: Mallory's admin key signs an Accept for Alice's account.
      const forged = acceptConnection({
        acknowledgement: ack!,
        accountProfile: {
          ...alice.profile,
          keys: { ...alice.profile.keys, administratorSignature: mallory.profile.keys.administratorSignature },
        },
        accountKeys: mallory.keys,
        random: systemRandom,
        now: new Date(),
      });
      refusals.push([
        'forged',
        { Result: 'Accept', EnvelopedRespondConnection: forged.json },
        /UnauthorizedSignerError/,
      ]);
      // 2. Replayed: Alice's genuine Accept of the earlier request.
      refusals.push(['replayed', { Result: 'Accept', EnvelopedRespondConnection: earlier }, /MessageIdMismatchError/]);
      // 3. Misdirected: Alice's genuine Accept of another device.
      const otherSeed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, systemRandom);
      const otherRequest = createRequestConnection({
        deviceSeed: otherSeed,
        accountAddress: alice.account,
        random: systemRandom,
      });
      const otherStart = await mesh.connectStart(dishonest.url, {
        AccountAddress: alice.account,
        EnvelopedRequestConnection: otherRequest.json,
      });
      void otherStart;
      const otherWitness = mesh.pending(alice).find((a) => a.request.deviceUdf !== ack!.request.deviceUdf)!.witness;
      const misdirected = mesh.accept(alice, otherWitness);
      refusals.push([
        'misdirected',
        { Result: 'Accept', EnvelopedRespondConnection: misdirected },
        /DecryptionError|ProfileMismatchError|MessageIdMismatchError/,
      ]);
      // 4. Self-signed: the service signs a Reject in Alice's name with its own key.
      const selfSigned = sealObject(
        'RespondConnection',
        { MessageId: responseId(ack!.messageId), Result: 'Reject' },
        {
          envelopeId: envelopeId(responseId(ack!.messageId)),
          signer: signerOf(mallory.keys.accountSignature),
        },
      );
      refusals.push([
        'self-signed reject',
        { Result: 'Reject', EnvelopedRespondConnection: selfSigned.json },
        /UnsignedEnvelopeError|UnauthorizedSignerError/,
      ]);
      // 5. An Accept with no answer at all.
      refusals.push(['empty accept', { Result: 'Accept' }, /ServiceAnswerError/]);

      for (const [name, answer, cause] of refusals) {
        const from = agent.lines.length;
        script = answer;
        await agent.waitFor(new RegExp(`warn: alice@example.com: .*${cause.source}`), 15_000, from);
        const status = JSON.parse(runAgentCli(['status', '--json', '--config', config]).stdout) as {
          owners: Array<{ state: string; witness: string; lastError?: { message: string } }>;
        };
        expect(status.owners[0], name).toMatchObject({ state: 'pending', witness: second });
        expect(status.owners[0]?.lastError?.message, name).toMatch(cause);
      }
      expect(agent.lines.some((l) => /SHOW (connected|rejected)/.test(l))).toBe(false);

      // The genuine answer to this request gets through once the service relays it.
      script = undefined;
      mesh.accept(alice, second);
      await agent.waitFor(/SHOW connected alice@example.com/);
      expect(await agent.stop()).toBe(0);
    } finally {
      await agent.stop();
    }
  });
});
