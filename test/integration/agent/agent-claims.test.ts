/**
 * @module test/integration/agent/agent-claims.test
 * The claimed QR label end to end: the real agent process polls the real
 * maker's service; bob claims the label and accepts the device on his service and the agent
 * connects; a claim with a wrong DeviceAuthenticate (which the service cannot check) is
 * refused by the device, one with a wrong ServiceAuthenticate by the service; carol's later
 * claim is held until `mesh-agent approve-claim <code>` is run on the device.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemRandom } from '../../../src/crypto/random.js';
import { createMessageClaim } from '../../../src/mesh/connect/message-claim.js';
import { deviceAuthenticate, serviceAuthenticate, staticConnectUri } from '../../../src/mesh/connect/static-qr.js';
import { sealObject, signerOf } from '../../../src/mesh/profiles/signed-object.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../src/mesh/udf/derived-key-seed.js';
import { envelopeId } from '../../../src/mesh/udf/message-id.js';
import { ForbiddenError } from '../../../src/platform/http/http-errors.js';
import { factoryFileText } from '../../helpers/agent-fixtures.js';
import { claimAndAccept, openOwner, publishDevice, sendClaim } from '../../helpers/agent-owner.js';
import {
  AgentProcess,
  claimPollsAfter,
  runAgentCli,
  tempDirectory,
  writeConfig,
  stopAllAgents,
} from '../../helpers/agent-process.js';
import { ownerJson, startTestService, type TestService } from '../owner/owner-harness.js';

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

describe('claims of the QR label, end to end', () => {
  it('first claim connects; wrong authenticators refused; a later claim waits for approve-claim on the device', async () => {
    const dir = await tempDirectory('mesh-agent-claims-');
    directories.push(dir);
    for (const name of ['maker', 'bob', 'carol'])
      await ownerJson(join(dir, name), 'account', 'create', `${name}@example.com`, '--service', service.url);
    const [maker, bob, carol] = await Promise.all(
      ['maker', 'bob', 'carol'].map((n) => openOwner(join(dir, n), service.url)),
    );
    const factory = factoryFileText('maker@example.com');
    const published = await publishDevice(maker!, factory.seed);
    expect(published.connectUri).toBe(factory.made.connectUri);
    const medk = join(dir, 'device.medk');
    await writeFile(medk, factory.text, { mode: 0o600 });
    const config = await writeConfig(dir, {
      stateDirectory: join(dir, 'state'),
      preconfiguration: medk,
      claims: { account: 'maker@example.com', service: service.url, additionalClaims: 'physical-confirmation' },
      keystore: 'file',
      polling: { initialDelaySeconds: 0.1, maxDelaySeconds: 0.3, jitter: 0, honorRetryAfter: false },
    });
    const agent = new AgentProcess(config);
    await agent.waitFor(/SHOW connect-uri mcu:\/\/maker@example.com\//);

    // A claim whose DeviceAuthenticate is for another device passes the service, not the device.
    const otherUri = staticConnectUri(
      newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, systemRandom),
      'maker@example.com',
    );
    const otherKey = otherUri.slice(otherUri.lastIndexOf('/') + 1);
    const real = createMessageClaim({
      claimantProfile: carol!.profile,
      adminKey: signerOf(carol!.keys.administratorSignature),
      connectUri: factory.made.connectUri,
      random: systemRandom,
    });
    const seal = (field: 'DeviceAuthenticate' | 'ServiceAuthenticate', value: string) =>
      sealObject(
        'MessageClaim',
        { ...real.claim, [field]: value },
        { envelopeId: envelopeId(real.messageId), signer: signerOf(carol!.keys.administratorSignature) },
      );
    await expect(
      sendClaim(maker!.client, seal('ServiceAuthenticate', serviceAuthenticate('carol@example.com', otherKey))),
    ).rejects.toThrow(ForbiddenError);
    await sendClaim(maker!.client, seal('DeviceAuthenticate', deviceAuthenticate('carol@example.com', otherKey)));
    await agent.waitFor(
      /claims: a claim of this device was refused: ClaimAuthenticatorError: "MessageClaim.DeviceAuthenticate"/,
    );

    // Bob scans the label: claim at the maker's service, accept on his own; the device connects.
    await claimAndAccept(bob!, maker!.client, factory.made.connectUri, ['thermostat']);
    await agent.waitFor(/SHOW connected bob@example.com/);

    // Carol claims too: held, with a code shown on the device; it connects only once confirmed there.
    await claimAndAccept(carol!, maker!.client, factory.made.connectUri);
    const code = (
      await agent.waitFor(/SHOW claim-held carol@example.com awaiting physical-confirmation code (\S+)/)
    )[1] as string;
    // Unconfirmed, it stays held through the device's next polls.
    await claimPollsAfter(config);
    expect(agent.lines.some((l) => /SHOW connected carol/.test(l))).toBe(false);
    const held = JSON.parse(runAgentCli(['status', '--json', '--config', config]).stdout) as {
      claims: { held: Array<{ claimant: string; code: string }> };
    };
    expect(held.claims.held).toEqual([
      expect.objectContaining({ claimant: 'carol@example.com', code, policy: 'physical-confirmation' }),
    ]);
    const approve = runAgentCli(['approve-claim', code, '--config', config]);
    expect(approve.status, approve.stderr).toBe(0);
    expect(approve.stdout).toMatch(/claim by carol@example.com confirmed/);
    await agent.waitFor(/SHOW connected carol@example.com/);

    const status = JSON.parse(runAgentCli(['status', '--json', '--config', config]).stdout) as {
      owners: Array<{ account: string; state: string; origin: string; roles?: string[] }>;
      claims: { held: unknown[] };
    };
    expect(status.owners.map((o) => [o.account, o.state, o.origin])).toEqual([
      ['bob@example.com', 'connected', 'claim'],
      ['carol@example.com', 'connected', 'claim'],
    ]);
    expect(status.owners[0]?.roles).toEqual(['thermostat']);
    expect(status.claims.held).toEqual([]);
    // The maker's catalog knows nothing of it; each claimant's does.
    const bobDevices = await bob!.client.get({ Account: 'bob@example.com', KeyValues: [{ Key: 'Devices' }] });
    expect(bobDevices.DataItems.map((d) => [d.Key, d.Status])).toEqual([[factory.made.deviceUdf, 'Connected']]);
    expect(await agent.stop()).toBe(0);
    expect(agent.stderr.join('')).toBe('');
  });
});
