/**
 * @module test/unit/agent/claims.test
 * The claimed QR label on fakes: the first claim connects the claimant; claims
 * with wrong authenticators or signatures are refused; a later claim is never accepted
 * silently — refused, held for a code typed on the device, or held for an owner's approval.
 */
import { describe, expect, it } from 'vitest';
import { activationSecretName } from '../../../src/agent/agent-state.js';
import { claimantService, confirmationCode } from '../../../src/agent/claim-watcher.js';
import { MemoryPreconfigurationFile } from '../../../src/agent/fakes/memory-ports.js';
import type { AdditionalClaimPolicy } from '../../../src/agent/config/agent-config.js';
import { seededRandom } from '../../../src/crypto/random.js';
import { createDevicePreconfiguration } from '../../../src/mesh/connect/device-preconfiguration.js';
import { deviceAuthenticate, serviceAuthenticate, staticConnectUri } from '../../../src/mesh/connect/static-qr.js';
import { DevicePreconfigurationSchema } from '../../../src/mesh/objects/device-preconfiguration.js';
import { sealObject, signerOf } from '../../../src/mesh/profiles/signed-object.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../src/mesh/udf/derived-key-seed.js';
import { envelopeId } from '../../../src/mesh/udf/message-id.js';
import { AgentWorld, SERVICE_A } from '../../helpers/agent-world.js';

const MAKER = 'maker@example.com';

function claimable(policy: AdditionalClaimPolicy) {
  const world = new AgentWorld();
  const random = seededRandom(31);
  const deviceSeed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, random);
  const made = createDevicePreconfiguration({ deviceSeed, makerAccount: MAKER });
  world.preconfiguration = new MemoryPreconfigurationFile(
    '/state/device.medk',
    JSON.stringify({ DevicePreconfiguration: DevicePreconfigurationSchema.toJson(made.preconfiguration) }),
  );
  const maker = world.mesh.addOwner(MAKER, SERVICE_A);
  const published = world.mesh.publish(maker, deviceSeed);
  expect(published.connectUri).toBe(made.connectUri);
  world.claims = { account: MAKER, service: SERVICE_A, additionalClaims: policy };
  const bob = world.mesh.addOwner('bob@example.com', SERVICE_A);
  const carol = world.mesh.addOwner('carol@example.com', SERVICE_A);
  return { world, maker, bob, carol, connectUri: made.connectUri, deviceSeed };
}

async function claimAndConnect(c: ReturnType<typeof claimable>, who: typeof c.bob): Promise<void> {
  const { world, connectUri } = c;
  const claim = world.mesh.claim(who, SERVICE_A, connectUri);
  await world.until(() => world.owner(who.account)?.state === 'pending');
  expect(world.owner(who.account)).toMatchObject({ origin: 'claim', service: SERVICE_A, responseId: claim.responseId });
  // Not answered yet at the claimant's service: a 404 is "not yet", not an error.
  await world.clock.advance(10_000);
  expect(world.owner(who.account)?.state).toBe('pending');
  world.mesh.acceptClaim(who, SERVICE_A, claim, connectUri, ['heating']);
  await world.until(() => world.owner(who.account)?.state === 'connected');
}

describe('claims of the QR label', () => {
  it('the first claim connects the claimant, with no witness and no configured owner', async () => {
    const c = claimable('reject');
    await c.world.start();
    await claimAndConnect(c, c.bob);
    expect(await c.world.secrets.get(activationSecretName(c.bob.account))).toBeDefined();
    expect(c.world.mesh.calls.filter((x) => x.name === 'ConnectStart')).toEqual([]);
    expect(c.world.mesh.calls.find((x) => x.name === 'PollClaim')?.request).toEqual({
      PublicationId: c.world.agent!.booted.claimSecrets!.publicationId,
      TargetAccountAddress: MAKER,
    });
    await c.world.stop();
  });

  it('a claim with a wrong DeviceAuthenticate or ServiceAuthenticate is refused, once', async () => {
    for (const field of ['DeviceAuthenticate', 'ServiceAuthenticate'] as const) {
      const c = claimable('reject');
      const real = c.world.mesh.claim(c.bob, SERVICE_A, c.connectUri);
      const otherUri = staticConnectUri(newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, seededRandom(8)), MAKER);
      const otherKey = otherUri.slice(otherUri.lastIndexOf('/') + 1);
      const value =
        field === 'DeviceAuthenticate'
          ? deviceAuthenticate(c.bob.account, otherKey)
          : serviceAuthenticate(c.bob.account, otherKey);
      const forged = sealObject(
        'MessageClaim',
        { ...real.claim, [field]: value },
        { envelopeId: envelopeId(real.messageId), signer: signerOf(c.bob.keys.administratorSignature) },
      );
      c.world.mesh.plantClaim(SERVICE_A, real.publicationId, forged.json);
      await c.world.start();
      await c.world.until(() => c.world.agent!.state().claims.lastError !== undefined);
      expect(c.world.agent!.state().claims.lastError?.message).toContain(
        `ClaimAuthenticatorError: "MessageClaim.${field}"`,
      );
      expect(c.world.owner(c.bob.account)).toBeUndefined();
      await c.world.clock.advance(60_000);
      expect(c.world.announcer.of('claim-refused')).toHaveLength(1);
      await c.world.stop();
    }
  });

  it("a claim signed by someone else than the claimant's admin key is refused", async () => {
    const c = claimable('reject');
    const real = c.world.mesh.claim(c.bob, SERVICE_A, c.connectUri);
    const forged = sealObject('MessageClaim', real.claim, {
      envelopeId: envelopeId(real.messageId),
      signer: signerOf(c.carol.keys.administratorSignature),
    });
    c.world.mesh.plantClaim(SERVICE_A, real.publicationId, forged.json);
    await c.world.start();
    await c.world.until(() => c.world.agent!.state().claims.lastError !== undefined);
    expect(c.world.agent!.state().claims.lastError?.message).toMatch(/UnauthorizedSignerError/);
    expect(c.world.owner(c.bob.account)).toBeUndefined();
    await c.world.stop();
  });

  it('"reject": a second claim is refused and the first owner is untouched', async () => {
    const c = claimable('reject');
    await c.world.start();
    await claimAndConnect(c, c.bob);
    c.world.mesh.claim(c.carol, SERVICE_A, c.connectUri);
    await c.world.until(() => c.world.announcer.of('claim-refused').length === 1);
    expect(c.world.announcer.of('claim-refused')[0]).toMatchObject({ claimant: c.carol.account });
    expect(c.world.owner(c.carol.account)).toBeUndefined();
    expect(c.world.owner(c.bob.account)?.state).toBe('connected');
    await c.world.stop();
  });

  it('"physical-confirmation": a second claim is held until its code is typed on the device', async () => {
    const c = claimable('physical-confirmation');
    await c.world.start();
    await claimAndConnect(c, c.bob);
    const claim = c.world.mesh.claim(c.carol, SERVICE_A, c.connectUri);
    await c.world.until(() => c.world.agent!.state().claims.held.length === 1);
    const held = c.world.agent!.state().claims.held[0]!;
    const code = confirmationCode(c.world.agent!.state().device.udf, claim.messageId);
    expect(held).toMatchObject({ claimant: c.carol.account, policy: 'physical-confirmation', code });
    expect(c.world.announcer.of('claim-held')).toEqual([
      { kind: 'claim-held', claimant: c.carol.account, policy: 'physical-confirmation', code },
    ]);
    // Nothing happens without the code, however long it waits; a wrong code changes nothing.
    c.world.confirmations.codes.push('AAAAAAAA');
    await c.world.clock.advance(120_000);
    expect(c.world.owner(c.carol.account)).toBeUndefined();
    c.world.confirmations.codes.push(code.toLowerCase());
    await c.world.until(() => c.world.owner(c.carol.account)?.state === 'pending');
    expect(c.world.agent!.state().claims.held).toEqual([]);
    c.world.mesh.acceptClaim(c.carol, SERVICE_A, claim, c.connectUri);
    await c.world.until(() => c.world.owner(c.carol.account)?.state === 'connected');
    expect(c.world.owner(c.bob.account)?.state).toBe('connected');
    const [b, k] = await Promise.all([
      c.world.secrets.get(activationSecretName(c.bob.account)),
      c.world.secrets.get(activationSecretName(c.carol.account)),
    ]);
    expect(b).toBeDefined();
    expect(k).toBeDefined();
    expect(Buffer.from(b!).equals(Buffer.from(k!))).toBe(false);
    await c.world.stop();
    expect(c.world.stateStore.status?.owners.map((o) => o.account)).toEqual([c.bob.account, c.carol.account]);
  });

  it('"owner-approval": a second claim stays held without an owner approval (no confirmation code), never connected', async () => {
    const c = claimable('owner-approval');
    await c.world.start();
    await claimAndConnect(c, c.bob);
    c.world.mesh.claim(c.carol, SERVICE_A, c.connectUri);
    await c.world.until(() => c.world.agent!.state().claims.held.length === 1);
    expect(c.world.agent!.state().claims.held[0]).toMatchObject({
      claimant: c.carol.account,
      policy: 'owner-approval',
    });
    expect(c.world.agent!.state().claims.held[0]?.code).toBeUndefined();
    await c.world.clock.advance(300_000);
    expect(c.world.owner(c.carol.account)).toBeUndefined();
    await c.world.stop();
    expect(c.world.stateStore.status?.claims?.held).toHaveLength(1);
  });

  it('a claim by an existing owner changes nothing; a held claim survives a restart', async () => {
    const c = claimable('physical-confirmation');
    await c.world.start();
    await claimAndConnect(c, c.bob);
    c.world.mesh.claim(c.bob, SERVICE_A, c.connectUri);
    await c.world.clock.advance(60_000);
    expect(c.world.owner(c.bob.account)?.state).toBe('connected');
    const claim = c.world.mesh.claim(c.carol, SERVICE_A, c.connectUri);
    await c.world.until(() => c.world.agent!.state().claims.held.length === 1);
    await c.world.stop();
    await c.world.start();
    expect(c.world.agent!.state().claims.held).toHaveLength(1);
    c.world.confirmations.codes.push(confirmationCode(c.world.agent!.state().device.udf, claim.messageId));
    await c.world.until(() => c.world.owner(c.carol.account)?.state === 'pending');
    await c.world.stop();
  });
});

describe('claimantService', () => {
  const claims = { account: MAKER, service: 'https://mesh.maker.example/', additionalClaims: 'reject' as const };
  it('an owners[] entry first, then the maker service for its own domain, then https://<domain>/', () => {
    expect(
      claimantService('bob@example.com', [{ account: 'Bob@example.com', service: 'http://127.0.0.1:1/' }], claims),
    ).toBe('http://127.0.0.1:1/');
    expect(claimantService('bob@example.com', [], claims)).toBe('https://mesh.maker.example/');
    expect(claimantService('bob@home.example', [], claims)).toBe('https://home.example/');
  });
});
