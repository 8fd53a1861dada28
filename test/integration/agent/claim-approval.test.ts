/**
 * @module test/integration/agent/claim-approval.test
 * Owner approval of a later claim, end to end ("a second or later claim … needs
 * approval from an existing owner"): the real agent under `additionalClaims:
 * "owner-approval"`, the real service and the owner CLI. Alice's first claim connects; bob's
 * and mallory's later claims are held; alice runs `mesh device approve-claim <udf>
 * --claimant bob@example.com` and the device connects bob; mallory, with no approval, stays
 * held, her self-approval on her own service notwithstanding (the device asks only the owners
 * it is connected to). On the way, the service refuses approvals that are not alice's, for a
 * device not in her catalog, expired, too long-lived, filed twice, or for a device she revoked;
 * her ConnectStatus carries her live approvals until she revokes the device, then none.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemRandom } from '../../../src/crypto/random.js';
import { createClaimApproval } from '../../../src/mesh/connect/claim-approval.js';
import { createProfileDevice } from '../../../src/mesh/profiles/profile-device.js';
import { signerOf } from '../../../src/mesh/profiles/signed-object.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../src/mesh/udf/derived-key-seed.js';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
} from '../../../src/platform/http/http-errors.js';
import { factoryFileText } from '../../helpers/agent-fixtures.js';
import { claimAndAccept, openOwner, publishDevice, type OpenedOwner } from '../../helpers/agent-owner.js';
import {
  AgentProcess,
  claimPollsAfter,
  runAgentCli,
  stopAllAgents,
  tempDirectory,
  writeConfig,
} from '../../helpers/agent-process.js';
import { owner, ownerJson, startTestService, type TestService } from '../owner/owner-harness.js';

let service: TestService;
const directories: string[] = [];
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await stopAllAgents();
  await service.close();
  for (const d of directories) await rm(d, { recursive: true, force: true });
});

interface AgentStatusJson {
  owners: Array<{ account: string; state: string; origin: string }>;
  claims: { held: Array<{ claimant: string; policy: string; code?: string }>; lastError?: { message: string } };
}

describe('owner approval of a later claim, end to end', () => {
  it('alice approves bob with mesh device approve-claim and the device connects bob; mallory stays held', async () => {
    const dir = await tempDirectory('mesh-agent-approval-');
    directories.push(dir);
    const names = ['maker', 'alice', 'bob', 'mallory'];
    for (const name of names)
      await ownerJson(join(dir, name), 'account', 'create', `${name}@example.com`, '--service', service.url);
    const [maker, alice, bob, mallory] = (await Promise.all(
      names.map((n) => openOwner(join(dir, n), service.url)),
    )) as [OpenedOwner, OpenedOwner, OpenedOwner, OpenedOwner];
    const factory = factoryFileText('maker@example.com');
    await publishDevice(maker, factory.seed);
    const deviceUdf = factory.made.deviceUdf;
    const medk = join(dir, 'device.medk');
    await writeFile(medk, factory.text, { mode: 0o600 });
    const config = await writeConfig(dir, {
      stateDirectory: join(dir, 'state'),
      preconfiguration: medk,
      claims: { account: 'maker@example.com', service: service.url, additionalClaims: 'owner-approval' },
      keystore: 'file',
      polling: { initialDelaySeconds: 0.1, maxDelaySeconds: 0.3, jitter: 0, honorRetryAfter: false },
    });
    const agent = new AgentProcess(config);
    await agent.waitFor(/SHOW connect-uri mcu:\/\/maker@example.com\//);
    const status = (): AgentStatusJson =>
      JSON.parse(runAgentCli(['status', '--json', '--config', config]).stdout) as AgentStatusJson;

    // The first claim connects alice.
    const aliceClaim = await claimAndAccept(alice, maker.client, factory.made.connectUri);
    await agent.waitFor(/SHOW connected alice@example.com/);

    // Bob claims (and accepts on his own service, as his app would): held, awaiting alice.
    await claimAndAccept(bob, maker.client, factory.made.connectUri);
    await agent.waitFor(/SHOW claim-held bob@example.com awaiting owner-approval/);
    await agent.waitFor(
      new RegExp(
        `held until an existing owner approves with: mesh device approve-claim ${deviceUdf} --claimant bob@example.com`,
      ),
    );
    // Then mallory: held too (PollClaim shows the latest claim only, so one after the other).
    await claimAndAccept(mallory, maker.client, factory.made.connectUri);
    await agent.waitFor(/SHOW claim-held mallory@example.com awaiting owner-approval/);
    // Held claims stay held: two more polls (and the pass over approvals between them) connect neither.
    await claimPollsAfter(config);
    expect(status().claims.held.map((h) => [h.claimant, h.policy])).toEqual([
      ['bob@example.com', 'owner-approval'],
      ['mallory@example.com', 'owner-approval'],
    ]);
    expect(agent.lines.some((l) => /SHOW connected (bob|mallory)/.test(l))).toBe(false);

    // The service files only alice's own approvals, for a connected device of her catalog, unexpired.
    const approval = (who: OpenedOwner, signer: OpenedOwner, device: string, expires: Date) =>
      createClaimApproval({
        accountProfile: who.profile,
        adminKey: signerOf(signer.keys.administratorSignature),
        deviceUdf: device,
        claimant: 'mallory@example.com',
        expires,
        random: systemRandom,
      }).json;
    const inAnHour = new Date(Date.now() + 3_600_000);
    const byMallory = createClaimApproval({
      accountProfile: mallory.profile,
      adminKey: signerOf(mallory.keys.administratorSignature),
      deviceUdf,
      claimant: 'mallory@example.com',
      expires: inAnHour,
      random: systemRandom,
    });
    await expect(
      alice.client.publish({ Account: alice.account, EnvelopedClaimApproval: byMallory.json }, alice.signer),
    ).rejects.toThrow(ForbiddenError);
    const elsewhere = createProfileDevice(newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, systemRandom)).udf;
    await expect(
      alice.client.publish(
        { Account: alice.account, EnvelopedClaimApproval: approval(alice, alice, elsewhere, inAnHour) },
        alice.signer,
      ),
    ).rejects.toThrow(NotFoundError);
    await expect(
      alice.client.publish(
        {
          Account: alice.account,
          EnvelopedClaimApproval: approval(alice, alice, deviceUdf, new Date(Date.now() - 1000)),
        },
        alice.signer,
      ),
    ).rejects.toThrow(BadRequestError);
    await expect(
      alice.client.publish(
        {
          Account: alice.account,
          EnvelopedClaimApproval: approval(alice, alice, deviceUdf, new Date(Date.now() + 40 * 86_400_000)),
        },
        alice.signer,
      ),
    ).rejects.toThrow(BadRequestError);
    // Mallory answered her own claim, so her service's catalog lists the device and files her
    // self-approval; the device never takes it: it asks only the owners it is connected to.
    await mallory.client.publish(
      { Account: mallory.account, EnvelopedClaimApproval: approval(mallory, mallory, deviceUdf, inAnHour) },
      mallory.signer,
    );

    // The CLI refuses bad input before touching anything.
    const bad = await owner(join(dir, 'alice'), 'device', 'approve-claim', deviceUdf, '--claimant', 'not-an-account');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--claimant/);
    const unknown = await owner(
      join(dir, 'alice'),
      'device',
      'approve-claim',
      elsewhere,
      '--claimant',
      'bob@example.com',
    );
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/matches no device connected to alice@example.com/);

    // Alice approves bob; the device connects bob at its next look.
    const approved = await ownerJson<{ deviceUdf: string; claimant: string; expires: string; messageId: string }>(
      join(dir, 'alice'),
      'device',
      'approve-claim',
      deviceUdf.slice(0, 14),
      '--claimant',
      'Bob@Example.com',
      '--expires',
      '30m',
    );
    expect(approved).toMatchObject({ deviceUdf, claimant: 'bob@example.com' });
    expect(Date.parse(approved.expires) - Date.now()).toBeGreaterThan(29 * 60_000);
    await agent.waitFor(/claims: alice@example.com approved the claim by bob@example.com/);
    await agent.waitFor(/SHOW connected bob@example.com/);

    // Mallory's claim is still held after the device has looked again.
    await claimPollsAfter(config);
    const final = status();
    expect(final.owners.map((o) => [o.account, o.state, o.origin])).toEqual([
      ['alice@example.com', 'connected', 'claim'],
      ['bob@example.com', 'connected', 'claim'],
    ]);
    expect(final.claims.held.map((h) => h.claimant)).toEqual(['mallory@example.com']);
    expect(agent.lines.some((l) => /SHOW connected mallory/.test(l))).toBe(false);
    const bobDevices = await bob.client.get({ Account: 'bob@example.com', KeyValues: [{ Key: 'Devices' }] });
    expect(bobDevices.DataItems.map((d) => [d.Key, d.Status])).toEqual([[deviceUdf, 'Connected']]);

    // What alice's connection hands the device; a second filing of one approval is a 409.
    const spare = createClaimApproval({
      accountProfile: alice.profile,
      adminKey: signerOf(alice.keys.administratorSignature),
      deviceUdf,
      claimant: 'nobody@example.com',
      expires: inAnHour,
      random: systemRandom,
    });
    await alice.client.publish({ Account: alice.account, EnvelopedClaimApproval: spare.json }, alice.signer);
    await expect(
      alice.client.publish({ Account: alice.account, EnvelopedClaimApproval: spare.json }, alice.signer),
    ).rejects.toThrow(ConflictError);
    const relayed = await alice.client.connectStatus({
      AccountAddress: alice.account,
      ResponseId: aliceClaim.responseId,
    });
    expect(relayed.Result).toBe('Accept');
    expect(relayed.EnvelopedClaimApprovals).toHaveLength(2);
    expect(JSON.stringify(relayed.EnvelopedClaimApprovals)).toContain(JSON.stringify(spare.json));
    // Once alice revokes the device, her entry files no approval and hands none out.
    await alice.client.publish({ Account: alice.account, RevokeDevice: deviceUdf }, alice.signer);
    await expect(
      alice.client.publish(
        { Account: alice.account, EnvelopedClaimApproval: approval(alice, alice, deviceUdf, inAnHour) },
        alice.signer,
      ),
    ).rejects.toThrow(ConflictError);
    const after = await alice.client.connectStatus({
      AccountAddress: alice.account,
      ResponseId: aliceClaim.responseId,
    });
    expect(after.Result).toBe('Revoked');
    expect(after.EnvelopedClaimApprovals).toBeUndefined();
    await agent.waitFor(/SHOW revoked alice@example.com/);
    expect(await agent.stop()).toBe(0);
    expect(agent.stderr.join('')).toBe('');
  });
});
