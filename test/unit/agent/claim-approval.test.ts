/**
 * @module test/unit/agent/claim-approval.test
 * "owner-approval" on fakes (a later claim "needs approval from an existing
 * owner"): a held claim is accepted once a connected owner's ClaimApproval for this device
 * and claimant reaches the device with that owner's ConnectStatus; approvals that are forged,
 * for another device, another claimant, expired, relayed for a revoked owner or used before
 * are refused (logged, lastError) and the claim stays held.
 */
import { describe, expect, it } from 'vitest';
import { approvalSeenId } from '../../../src/agent/claim-watcher.js';
import { MemoryPreconfigurationFile } from '../../../src/agent/fakes/memory-ports.js';
import type { FakeOwner } from '../../../src/agent/fakes/fake-mesh-service.js';
import { seededRandom } from '../../../src/crypto/random.js';
import { createClaimApproval } from '../../../src/mesh/connect/claim-approval.js';
import { createDevicePreconfiguration } from '../../../src/mesh/connect/device-preconfiguration.js';
import type { CreatedMessageClaim } from '../../../src/mesh/connect/message-claim.js';
import { DevicePreconfigurationSchema } from '../../../src/mesh/objects/device-preconfiguration.js';
import { createProfileDevice } from '../../../src/mesh/profiles/profile-device.js';
import { sealObject, signerOf } from '../../../src/mesh/profiles/signed-object.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../src/mesh/udf/derived-key-seed.js';
import { envelopeId } from '../../../src/mesh/udf/message-id.js';
import { AgentWorld, SERVICE_A, SERVICE_B } from '../../helpers/agent-world.js';

const MAKER = 'maker@example.com';
const HOUR = 3_600_000;

function claimable() {
  const world = new AgentWorld();
  const random = seededRandom(41);
  const deviceSeed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, random);
  const made = createDevicePreconfiguration({ deviceSeed, makerAccount: MAKER });
  world.preconfiguration = new MemoryPreconfigurationFile(
    '/state/device.medk',
    JSON.stringify({ DevicePreconfiguration: DevicePreconfigurationSchema.toJson(made.preconfiguration) }),
  );
  const maker = world.mesh.addOwner(MAKER, SERVICE_A);
  world.mesh.publish(maker, deviceSeed);
  world.claims = { account: MAKER, service: SERVICE_A, additionalClaims: 'owner-approval' };
  const alice = world.mesh.addOwner('alice@example.com', SERVICE_A);
  const bob = world.mesh.addOwner('bob@example.com', SERVICE_A);
  const mallory = world.mesh.addOwner('mallory@example.com', SERVICE_A);
  const otherDevice = createProfileDevice(newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, random));
  return { world, maker, alice, bob, mallory, connectUri: made.connectUri, otherDevice };
}
type Setup = ReturnType<typeof claimable>;

const udf = (c: Setup): string => c.world.agent!.state().device.udf;
const held = (c: Setup) => c.world.agent!.state().claims.held;
const expiresIn = (c: Setup, ms: number): Date => new Date(c.world.clock.now().getTime() + ms);

/** The first claim connects `who` (no owner yet). */
async function firstClaim(c: Setup, who: FakeOwner): Promise<void> {
  const claim = c.world.mesh.claim(who, SERVICE_A, c.connectUri);
  await c.world.until(() => c.world.owner(who.account)?.state === 'pending');
  c.world.mesh.acceptClaim(who, SERVICE_A, claim, c.connectUri);
  await c.world.until(() => c.world.owner(who.account)?.state === 'connected');
}

/** A later claim by `who`: held for an owner's approval. */
async function heldClaim(c: Setup, who: FakeOwner): Promise<CreatedMessageClaim> {
  const before = c.world.announcer.of('claim-held').length;
  const claim = c.world.mesh.claim(who, SERVICE_A, c.connectUri);
  await c.world.until(() => c.world.announcer.of('claim-held').length === before + 1);
  expect(held(c).find((h) => h.messageId === claim.messageId)).toMatchObject({
    claimant: who.account,
    policy: 'owner-approval',
  });
  return claim;
}

/** Waits for the watcher to refuse an approval (lastError changes), then checks nothing moved. */
async function expectRefused(c: Setup, pattern: RegExp, claimant: FakeOwner): Promise<void> {
  await c.world.until(() => pattern.test(c.world.agent!.state().claims.lastError?.message ?? ''));
  await c.world.clock.advance(30_000);
  expect(c.world.owner(claimant.account)).toBeUndefined();
  expect(held(c).map((h) => h.claimant)).toContain(claimant.account);
  expect(c.world.logger.text()).toMatch(/claim approval relayed for \S+ refused/);
}

describe('owner-approval on the device agent', () => {
  it('a held claim is accepted when the connected owner approves it, then connects as a first claim would', async () => {
    const c = claimable();
    await c.world.start();
    await firstClaim(c, c.alice);
    const claim = await heldClaim(c, c.bob);
    expect(c.world.logger.text()).toContain(`mesh device approve-claim ${udf(c)} --claimant bob@example.com`);
    await c.world.clock.advance(60_000);
    expect(c.world.owner(c.bob.account)).toBeUndefined();

    const approval = c.world.mesh.approveClaim(c.alice, udf(c), 'bob@example.com', expiresIn(c, HOUR));
    await c.world.until(() => c.world.owner(c.bob.account)?.state === 'pending');
    expect(c.world.owner(c.bob.account)).toMatchObject({ origin: 'claim', responseId: claim.responseId });
    expect(held(c)).toEqual([]);
    expect(c.world.agent!.state().claims.seen).toContain(approvalSeenId(approval.messageId));
    expect(c.world.logger.text()).toContain('claims: alice@example.com approved the claim by bob@example.com');
    c.world.mesh.acceptClaim(c.bob, SERVICE_A, claim, c.connectUri);
    await c.world.until(() => c.world.owner(c.bob.account)?.state === 'connected');
    expect(c.world.owner(c.alice.account)?.state).toBe('connected');
    await c.world.stop();
  });

  it('an approval filed before the claim is used as soon as the claim is held; one held across a restart too', async () => {
    const c = claimable();
    await c.world.start();
    await firstClaim(c, c.alice);
    c.world.mesh.approveClaim(c.alice, udf(c), 'BOB@example.com', expiresIn(c, HOUR));
    c.world.mesh.claim(c.bob, SERVICE_A, c.connectUri);
    await c.world.until(() => c.world.owner(c.bob.account)?.state === 'pending');
    expect(c.world.announcer.of('claim-held')).toEqual([
      { kind: 'claim-held', claimant: 'bob@example.com', policy: 'owner-approval' },
    ]);

    await heldClaim(c, c.mallory);
    await c.world.stop();
    c.world.mesh.approveClaim(c.alice, udf(c), 'mallory@example.com', expiresIn(c, HOUR));
    await c.world.start();
    expect(held(c)).toHaveLength(1);
    await c.world.until(() => c.world.owner(c.mallory.account)?.state === 'pending');
    await c.world.stop();
  });

  it("refuses a forged approval: alice's fields signed by another key", async () => {
    const c = claimable();
    await c.world.start();
    await firstClaim(c, c.alice);
    await heldClaim(c, c.bob);
    const real = createClaimApproval({
      accountProfile: c.alice.profile,
      adminKey: signerOf(c.alice.keys.administratorSignature),
      deviceUdf: udf(c),
      claimant: 'bob@example.com',
      expires: expiresIn(c, HOUR),
      random: seededRandom(5),
    });
    const forged = sealObject('ClaimApproval', real.approval, {
      envelopeId: envelopeId(real.messageId),
      signer: signerOf(c.bob.keys.administratorSignature),
    });
    c.world.mesh.fileApproval(c.alice, udf(c), forged.json);
    await expectRefused(c, /UnauthorizedSignerError: "ClaimApproval"/, c.bob);
    // Logged once, not at every round.
    await c.world.clock.advance(120_000);
    expect(c.world.logger.lines.filter((l) => /claim approval relayed/.test(l.message))).toHaveLength(1);
    await c.world.stop();
  });

  it('refuses an approval for another device (replayed from it)', async () => {
    const c = claimable();
    await c.world.start();
    await firstClaim(c, c.alice);
    await heldClaim(c, c.bob);
    const elsewhere = createClaimApproval({
      accountProfile: c.alice.profile,
      adminKey: signerOf(c.alice.keys.administratorSignature),
      deviceUdf: c.otherDevice.udf,
      claimant: 'bob@example.com',
      expires: expiresIn(c, HOUR),
      random: seededRandom(6),
    });
    c.world.mesh.fileApproval(c.alice, udf(c), elsewhere.json);
    await expectRefused(c, /DeviceMismatchError: "ClaimApproval.DeviceUdf"/, c.bob);
    await c.world.stop();
  });

  it('refuses an expired approval', async () => {
    const c = claimable();
    await c.world.start();
    await firstClaim(c, c.alice);
    await heldClaim(c, c.bob);
    const stale = createClaimApproval({
      accountProfile: c.alice.profile,
      adminKey: signerOf(c.alice.keys.administratorSignature),
      deviceUdf: udf(c),
      claimant: 'bob@example.com',
      expires: expiresIn(c, -1),
      random: seededRandom(7),
    });
    c.world.mesh.fileApproval(c.alice, udf(c), stale.json);
    await expectRefused(c, /ExpiredMessageError: "ClaimApproval.Expires"/, c.bob);
    await c.world.stop();
  });

  it('an approval of another claimant leaves the held claim held', async () => {
    const c = claimable();
    await c.world.start();
    await firstClaim(c, c.alice);
    await heldClaim(c, c.bob);
    c.world.mesh.approveClaim(c.alice, udf(c), 'carol@example.com', expiresIn(c, HOUR));
    await c.world.until(() =>
      /approved a claim by carol@example.com, who has no held claim/.test(c.world.logger.text()),
    );
    await c.world.clock.advance(120_000);
    expect(c.world.owner(c.bob.account)).toBeUndefined();
    expect(held(c)).toHaveLength(1);
    await c.world.stop();
  });

  it("a revoked owner cannot approve: not asked itself, and its approval relayed by another owner's service is refused", async () => {
    const c = claimable();
    const carol = c.world.mesh.addOwner('carol@example.net', SERVICE_B);
    c.world.owners = [{ account: carol.account, service: SERVICE_B }];
    await c.world.start();
    await c.world.until(() => c.world.owner(carol.account)?.state === 'pending');
    c.world.mesh.accept(carol);
    await c.world.until(() => c.world.owner(carol.account)?.state === 'connected');
    // Carol (configured, witness flow) is an owner: alice's claim is held until carol approves.
    const aliceClaim = await heldClaim(c, c.alice);
    c.world.mesh.approveClaim(carol, udf(c), 'alice@example.com', expiresIn(c, HOUR));
    await c.world.until(() => c.world.owner(c.alice.account)?.state === 'pending');
    c.world.mesh.acceptClaim(c.alice, SERVICE_A, aliceClaim, c.connectUri);
    await c.world.until(() => c.world.owner(c.alice.account)?.state === 'connected');

    // Carol revokes the device; the device learns it at the cap.
    c.world.mesh.revoke(carol, udf(c));
    await c.world.until(() => c.world.owner(carol.account)?.state === 'revoked');
    await heldClaim(c, c.bob);
    const calls = c.world.mesh.calls.length;
    c.world.mesh.approveClaim(carol, udf(c), 'bob@example.com', expiresIn(c, HOUR)); // filed with her revoked connection: Revoked, no approvals
    const fromCarol = createClaimApproval({
      accountProfile: carol.profile,
      adminKey: signerOf(carol.keys.administratorSignature),
      deviceUdf: udf(c),
      claimant: 'bob@example.com',
      expires: expiresIn(c, HOUR),
      random: seededRandom(8),
    });
    await c.world.clock.advance(20_000);
    expect(
      c.world.mesh.calls.slice(calls).filter((x) => x.name === 'ConnectStatus' && x.service === SERVICE_B),
    ).toEqual([]);
    expect(c.world.owner(c.bob.account)).toBeUndefined();
    c.world.mesh.fileApproval(c.alice, udf(c), fromCarol.json);
    await expectRefused(c, /UnauthorizedSignerError: "ClaimApproval"/, c.bob);
    await c.world.stop();
  });

  it('refuses approvals relayed with a Revoked answer', async () => {
    const c = claimable();
    await c.world.start();
    await firstClaim(c, c.alice);
    await heldClaim(c, c.bob);
    const genuine = createClaimApproval({
      accountProfile: c.alice.profile,
      adminKey: signerOf(c.alice.keys.administratorSignature),
      deviceUdf: udf(c),
      claimant: 'bob@example.com',
      expires: expiresIn(c, HOUR),
      random: seededRandom(9),
    });
    c.world.mesh.override = (call) =>
      call.name === 'ConnectStatus' ? { Result: 'Revoked', EnvelopedClaimApprovals: [genuine.json] } : undefined;
    await c.world.until(() =>
      /answered Revoked, not Accept/.test(c.world.agent!.state().claims.lastError?.message ?? ''),
    );
    expect(c.world.owner(c.bob.account)).toBeUndefined();
    expect(held(c)).toHaveLength(1);
    await c.world.stop();
  });

  it('an approval is used once: the same approval does not let a revoked claimant back in', async () => {
    const c = claimable();
    await c.world.start();
    await firstClaim(c, c.alice);
    const first = await heldClaim(c, c.bob);
    c.world.mesh.approveClaim(c.alice, udf(c), 'bob@example.com', expiresIn(c, HOUR));
    await c.world.until(() => c.world.owner(c.bob.account)?.state === 'pending');
    c.world.mesh.acceptClaim(c.bob, SERVICE_A, first, c.connectUri);
    await c.world.until(() => c.world.owner(c.bob.account)?.state === 'connected');
    c.world.mesh.revoke(c.bob, udf(c));
    await c.world.until(() => c.world.owner(c.bob.account)?.state === 'revoked');
    await heldClaim(c, c.bob);
    await c.world.clock.advance(120_000);
    expect(c.world.owner(c.bob.account)?.state).toBe('revoked');
    expect(held(c).map((h) => h.claimant)).toEqual(['bob@example.com']);
    await c.world.stop();
  });
});
