/**
 * @module test/integration/owner/owner-forged
 * The owner against a dishonest service (docs/decisions/0003-untrusted-service.md: the service relays, the owner
 * checks). A scripted service on 127.0.0.1 hands `device pending` acknowledgements that a
 * real service would never make: a witness that does not recompute, an acknowledgement not
 * signed by the service, a request whose device signature is forged, a request for another
 * account, a PinWitness that does not verify, a PIN used twice, an expired request. Each is
 * listed with its problem, `device accept` refuses it (exit 1) and nothing is ever posted
 * with ConnectComplete; `--auto-pin` takes only the request whose PIN the owner verified.
 * A service that swaps its own profile is refused outright.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemRandom } from '../../../src/crypto/random.js';
import { createAcknowledgeConnection } from '../../../src/mesh/connect/acknowledge-connection.js';
import {
  createRequestConnection,
  verifyRequestConnection,
  type CreatedRequestConnection,
} from '../../../src/mesh/connect/request-connection.js';
import { connectionWitness } from '../../../src/mesh/connect/witness.js';
import { newPin } from '../../../src/mesh/connect/pin.js';
import type { EnvelopeJson } from '../../../src/mesh/schema/envelope-json.js';
import { verifyProfileAccount, type VerifiedProfileAccount } from '../../../src/mesh/profiles/profile-account.js';
import { deviceBaseKeyPairs, createProfileDevice } from '../../../src/mesh/profiles/profile-device.js';
import { createProfileService, serviceKeyPairs } from '../../../src/mesh/profiles/profile-service.js';
import { sealObject, signerOf } from '../../../src/mesh/profiles/signed-object.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../src/mesh/udf/derived-key-seed.js';
import { envelopeId } from '../../../src/mesh/udf/message-id.js';
import { owner, ownerJson } from './owner-harness.js';

const ACCOUNT = 'olga@example.com';

interface Pending {
  EnvelopedAcknowledgeConnection: EnvelopeJson;
  PinValidated: boolean;
  Received: string;
  Expires: string;
}

/** A service that answers what the test tells it to. */
class DishonestService {
  serviceSeed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileService, systemRandom);
  profile?: VerifiedProfileAccount;
  pending: Pending[] = [];
  completes = 0;
  /** Status CreateAccount answers with (201 unless a test says otherwise). */
  createStatus = 201;
  server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, Record<string, unknown>>;
        const name = (Object.keys(body)[0] as string).replace(/Request$/, '');
        const answer = this.answer(name, body[`${name}Request`] as Record<string, unknown>);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ [`${name}Response`]: { Status: 201, ...answer } }));
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get keys() {
    return serviceKeyPairs(this.serviceSeed);
  }

  answer(name: string, request: Record<string, unknown>): Record<string, unknown> {
    switch (name) {
      case 'Hello':
        return { EnvelopedProfileService: createProfileService(this.serviceSeed).json };
      case 'Validate':
        return { Valid: true };
      case 'Create':
        if (this.createStatus !== 201) return { Status: this.createStatus, StatusDescription: 'scripted refusal' };
        this.profile = verifyProfileAccount(request['EnvelopedProfileAccount'] as EnvelopeJson);
        return {};
      case 'PinRegister':
        return {};
      case 'ConnectPending':
        return { Pending: this.pending };
      case 'ConnectComplete':
        this.completes += 1;
        return {};
      case 'Get':
        return { DataItems: [] };
      default:
        return {};
    }
  }

  /** An acknowledgement as an honest service makes it. */
  honestAck(request: CreatedRequestConnection) {
    return createAcknowledgeConnection({
      request: verifyRequestConnection(request.json),
      accountProfile: this.profile as VerifiedProfileAccount,
      serviceKey: signerOf(this.keys.serviceSignature),
      random: systemRandom,
    });
  }

  add(ack: EnvelopeJson, options: { pinValidated?: boolean; expires?: string } = {}): void {
    this.pending.push({
      EnvelopedAcknowledgeConnection: ack,
      PinValidated: options.pinValidated ?? false,
      Received: new Date().toISOString(),
      Expires: options.expires ?? new Date(Date.now() + 3_600_000).toISOString(),
    });
  }
}

function deviceRequest(account = ACCOUNT, pin?: string): { seed: string; request: CreatedRequestConnection } {
  const seed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, systemRandom);
  return {
    seed,
    request: createRequestConnection({
      deviceSeed: seed,
      accountAddress: account,
      random: systemRandom,
      ...(pin === undefined ? {} : { pin }),
    }),
  };
}

describe('owner against a dishonest service', () => {
  const service = new DishonestService();
  let directory: string;
  let home: string;
  let pin: { pin: string; pinId: string };
  const cases: Record<string, { witness: string; deviceUdf: string }> = {};

  beforeAll(async () => {
    await service.start();
    directory = await mkdtemp(join(tmpdir(), 'mesh-owner-forged-'));
    home = join(directory, 'home');
    await ownerJson(home, 'account', 'create', ACCOUNT, '--service', service.url);
    pin = await ownerJson(home, 'account', 'pin', '--roles', 'sensor');
    const profile = service.profile as VerifiedProfileAccount;

    // 1. Witness that does not recompute: ServerNonce and Witness do not belong together.
    {
      const { request } = deviceRequest();
      const verified = verifyRequestConnection(request.json);
      const serverNonce = systemRandom(16);
      const wrong = connectionWitness({
        accountProfileSignature: profile.keys.profileSignature,
        deviceProfileSignature: verified.device.keys.profileSignature,
        serverNonce: systemRandom(16),
        clientNonce: verified.request.ClientNonce,
      });
      const ack = sealObject(
        'AcknowledgeConnection',
        { MessageId: wrong, EnvelopedRequestConnection: request.json, ServerNonce: serverNonce, Witness: wrong },
        { envelopeId: envelopeId(wrong), signer: signerOf(service.keys.serviceSignature) },
      );
      service.add(ack.json);
      cases['witness'] = { witness: wrong, deviceUdf: request.profile.udf };
    }
    // 2. Acknowledgement signed by some other key than the service's.
    {
      const { request } = deviceRequest();
      const other = serviceKeyPairs(newDerivedKeySeedUdf(KeySpecifier.MeshProfileService, systemRandom));
      const ack = createAcknowledgeConnection({
        request: verifyRequestConnection(request.json),
        accountProfile: profile,
        serviceKey: signerOf(other.serviceSignature),
        random: systemRandom,
      });
      service.add(ack.json);
      cases['unsigned'] = { witness: ack.witness, deviceUdf: request.profile.udf };
    }
    // 3. A request that carries device A's profile but is signed by device B.
    {
      const { request } = deviceRequest();
      const intruder = deviceBaseKeyPairs(newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, systemRandom));
      const forged = sealObject('RequestConnection', request.request, {
        envelopeId: envelopeId(request.messageId),
        signer: signerOf(intruder.profileSignature),
      });
      const honest = service.honestAck(request);
      const ack = sealObject(
        'AcknowledgeConnection',
        { ...honest.acknowledgement, EnvelopedRequestConnection: forged.json },
        { envelopeId: envelopeId(honest.witness), signer: signerOf(service.keys.serviceSignature) },
      );
      service.add(ack.json);
      cases['forged'] = { witness: honest.witness, deviceUdf: request.profile.udf };
    }
    // 4. A request made for another account, relayed to this one.
    {
      const { request } = deviceRequest('mallory@example.com');
      const verified = verifyRequestConnection(request.json);
      const serverNonce = systemRandom(16);
      const witness = connectionWitness({
        accountProfileSignature: profile.keys.profileSignature,
        deviceProfileSignature: verified.device.keys.profileSignature,
        serverNonce,
        clientNonce: verified.request.ClientNonce,
      });
      const ack = sealObject(
        'AcknowledgeConnection',
        { MessageId: witness, EnvelopedRequestConnection: request.json, ServerNonce: serverNonce, Witness: witness },
        { envelopeId: envelopeId(witness), signer: signerOf(service.keys.serviceSignature) },
      );
      service.add(ack.json);
      cases['account'] = { witness, deviceUdf: request.profile.udf };
    }
    // 5. PinId of the owner's PIN with a PinWitness made from another PIN; the service vouches anyway.
    {
      const { seed, request } = deviceRequest(ACCOUNT, newPin(systemRandom));
      const keys = deviceBaseKeyPairs(seed);
      const tampered = sealObject(
        'RequestConnection',
        { ...request.request, PinId: pin.pinId },
        {
          envelopeId: envelopeId(request.messageId),
          signer: signerOf(keys.profileSignature),
        },
      );
      const ack = service.honestAck({ ...request, json: tampered.json, profile: createProfileDevice(seed, { keys }) });
      service.add(ack.json, { pinValidated: true });
      cases['pin'] = { witness: ack.witness, deviceUdf: request.profile.udf };
    }
    // 6 and 7. Two devices with the right PIN: the first is auto-accepted, the second then is "used".
    for (const name of ['pinGood', 'pinSecond']) {
      const { request } = deviceRequest(ACCOUNT, pin.pin);
      const ack = service.honestAck(request);
      service.add(ack.json, { pinValidated: true });
      cases[name] = { witness: ack.witness, deviceUdf: request.profile.udf };
    }
    // 8. Expired at the service's own word, still offered.
    {
      const { request } = deviceRequest();
      const ack = service.honestAck(request);
      service.add(ack.json, { expires: '2020-01-01T00:00:00Z' });
      cases['expired'] = { witness: ack.witness, deviceUdf: request.profile.udf };
    }
  });

  afterAll(async () => {
    service.server.closeAllConnections();
    await new Promise((r) => service.server.close(r));
    await rm(directory, { recursive: true, force: true });
  });

  const find = (pending: any[], name: string) =>
    pending.find((p) => p.deviceUdf === cases[name]?.deviceUdf || p.witness === cases[name]?.witness);

  it('lists every forged request with its problem', async () => {
    const { pending } = await ownerJson(home, 'device', 'pending');
    expect(pending).toHaveLength(8);
    expect(find(pending, 'witness')).toMatchObject({ acceptable: false, deviceUdf: null });
    expect(find(pending, 'witness').problems[0]).toMatch(
      /AcknowledgeConnection\.(Witness|MessageId)" is not the witness recomputed/,
    );
    expect(find(pending, 'unsigned').problems[0]).toMatch(/no valid signature by the service ServiceSignature key/);
    expect(find(pending, 'forged').problems[0]).toMatch(
      /"RequestConnection" has no valid signature by the ProfileSignature key/,
    );
    expect(find(pending, 'account').problems[0]).toMatch(/RequestConnection\.AccountAddress" is not the account/);
    expect(find(pending, 'pin')).toMatchObject({ pin: 'mismatch', acceptable: false, serviceSaysPinValidated: true });
    expect(find(pending, 'expired')).toMatchObject({ acceptable: false });
    expect(find(pending, 'expired').problems[0]).toMatch(/^expired at 2020-01-01/);
    expect(find(pending, 'pinGood')).toMatchObject({ pin: 'verified', acceptable: true, pinRoles: ['sensor'] });
  });

  it('refuses to accept or reject any of them, and never posts an answer', async () => {
    for (const name of ['witness', 'unsigned', 'forged', 'account', 'pin', 'expired']) {
      const selector = (cases[name] as { witness: string }).witness;
      const accepted = await owner(home, 'device', 'accept', selector);
      expect(accepted.status, `${name}: ${accepted.stderr}`).toBe(1);
      expect(accepted.stderr).toMatch(/cannot be answered/);
      // Nothing is offered for comparison: the request is refused before that.
      expect(accepted.stderr).not.toContain('device fingerprint');
      const rejected = await owner(home, 'device', 'reject', selector);
      expect(rejected.status, name).toBe(1);
    }
    expect(service.completes).toBe(0);
  });

  it('--auto-pin accepts only the request whose PIN the owner verified; the PIN then counts as used', async () => {
    const first = await ownerJson(home, 'device', 'accept', '--auto-pin');
    expect(first.accepted.map((a: any) => a.deviceUdf)).toEqual([cases['pinGood']?.deviceUdf]);
    expect(first.accepted[0].roles).toEqual(['sensor']);
    expect(first.skipped.find((x: any) => x.deviceUdf === cases['pinSecond']?.deviceUdf)).toMatchObject({
      pin: 'used',
    });
    expect(service.completes).toBe(1);
    const { pending } = await ownerJson(home, 'device', 'pending');
    expect(find(pending, 'pinSecond')).toMatchObject({ pin: 'used' });
    expect(find(pending, 'pinGood').problems).toContain('already answered (Connected)');
    const second = await ownerJson(home, 'device', 'accept', '--auto-pin');
    expect(second.accepted).toEqual([]);
    const refused = await owner(
      home,
      'device',
      'accept',
      '--auto-pin',
      (cases['pinSecond'] as { witness: string }).witness,
    );
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/not PIN-verified by this owner \(PIN: used\)/);
    expect(service.completes).toBe(1);
  });

  it('a service presenting another service profile than the account names is refused', async () => {
    service.serviceSeed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileService, systemRandom);
    const r = await owner(home, 'device', 'pending');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/presented service profile M[A-Z2-7-]+, but the account profile names M/);
    const status = await ownerJson(home, 'account', 'status');
    expect(status.reachable).toBe(false);
  });
});

describe('account create when the service fails or refuses', () => {
  const service = new DishonestService();
  let directory: string;
  beforeAll(async () => {
    await service.start();
    directory = await mkdtemp(join(tmpdir(), 'mesh-owner-create-'));
  });
  afterAll(async () => {
    service.server.closeAllConnections();
    await new Promise((r) => service.server.close(r));
    await rm(directory, { recursive: true, force: true });
  });

  it('keeps the seed after a service fault and resumes with the same profile', async () => {
    const home = join(directory, 'fault');
    service.createStatus = 500;
    const failed = await owner(home, 'account', 'create', ACCOUNT, '--service', service.url);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(
      /Status 500: scripted refusal; the new profile is kept in .*run the same command again/,
    );
    const kept = JSON.parse(await readFile(join(home, 'profile.json'), 'utf8'));
    expect(kept.Registered).toBe(false);
    // Anything but the same create is refused on an unregistered profile.
    expect((await owner(home, 'account', 'create', 'other@example.com', '--service', service.url)).status).toBe(2);
    service.createStatus = 201;
    const resumed = await ownerJson(home, 'account', 'create', ACCOUNT, '--service', service.url);
    expect(resumed).toMatchObject({ resumed: true, profileUdf: kept.ProfileUdf });
    expect(service.profile?.udf).toBe(kept.ProfileUdf);
    expect((await ownerJson(home, 'account', 'status')).registered).toBe(true);
  });

  it('forgets the new profile when the service refuses the account', async () => {
    const home = join(directory, 'refused');
    service.createStatus = 409;
    const refused = await owner(home, 'account', 'create', ACCOUNT, '--service', service.url);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/Create refused by .* with Status 409/);
    expect(await readdir(home)).toEqual([]);
  });
});
