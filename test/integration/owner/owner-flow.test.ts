/**
 * @module test/integration/owner/owner-flow
 * The owner CLI against the real service over HTTP on 127.0.0.1 ("Done when"):
 * create an account, a scripted device connects with and without a PIN, `device pending`
 * shows the witness the device computed, `device accept` (and --auto-pin) answers, and the
 * device fetches ConnectStatus and verifies the result with the library; reject, list and
 * revoke; replayed and expired requests as they reach the owner. The main flow runs on the
 * file store and, where PostgreSQL can be started, on PostgreSQL.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCode } from '../../../src/agent/check-code.js';
import { parseConnectUri } from '../../../src/mesh/connect/connect-uri.js';
import { ForbiddenError } from '../../../src/platform/http/http-errors.js';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres.js';
import { ScriptedDevice, owner, ownerJson, startTestService, type TestService } from './owner-harness.js';

const dashless = (s: string) => s.replace(/-/g, '');

async function mainFlow(service: TestService, account: string) {
  const home = join(service.directory, `home-${account.split('@')[0]}`);

  // Account.
  const created = await ownerJson(home, 'account', 'create', account, '--service', service.url);
  expect(created).toMatchObject({ account, service: service.url, resumed: false });
  expect(created.profileUdf).toMatch(/^M[A-Z2-7]{3}(-[A-Z2-7]{4}){6}$/);
  const status = await ownerJson(home, 'account', 'status');
  expect(status).toMatchObject({
    account,
    profileUdf: created.profileUdf,
    registered: true,
    reachable: true,
    devices: { connected: 0 },
  });

  // A device without a PIN: pending shows the witness the device computed itself.
  const device = new ScriptedDevice(service.url, account);
  const witness = await device.connect();
  expect((await device.status()).Result).toBe('Pending');
  const pending = await ownerJson(home, 'device', 'pending');
  expect(pending.pending).toHaveLength(1);
  expect(pending.pending[0]).toMatchObject({
    witness,
    deviceUdf: device.udf,
    pin: 'none',
    acceptable: true,
    problems: [],
  });
  const table = await owner(home, 'device', 'pending');
  expect(table.stdout.split('\n')[0]).toMatch(/^WITNESS\s+CHECK\s+DEVICE\s+PIN\s+RECEIVED\s+STATUS$/);
  expect(table.stdout).toContain(witness);
  // The countable check code the device's LED blinks, in the table and the JSON.
  expect(pending.pending[0].checkCode).toBe(checkCode(witness));
  expect(table.stdout).toContain(checkCode(witness));

  // Accept by a witness prefix, as a person types what the device shows.
  const accepted = await owner(
    home,
    'device',
    'accept',
    dashless(witness).slice(0, 10).toLowerCase(),
    '--roles',
    'web,message',
  );
  expect(accepted.status, accepted.stderr).toBe(0);
  expect(accepted.stderr).toContain(`device fingerprint ${device.udf}`);
  expect(accepted.stderr).toContain(`witness            ${witness}`);
  expect(accepted.stdout).toBe(`accepted ${device.udf} witness ${witness} roles web,message`);

  // The device verifies the answer with the library and derives its keys.
  const done = await device.complete();
  expect(done.result).toBe('Accept');
  expect(done.connection?.Roles).toEqual(['web', 'message']);
  expect(done.keys?.signature.alg).toBe('Ed448');

  // The request is no longer pending; the device is listed, here and at the service.
  expect((await ownerJson(home, 'device', 'pending')).pending).toEqual([]);
  const listed = await ownerJson(home, 'device', 'list');
  expect(listed.devices).toEqual([
    expect.objectContaining({
      deviceUdf: device.udf,
      status: 'Connected',
      roles: ['web', 'message'],
      witness,
      serviceStatus: 'Connected',
    }),
  ]);
  expect((await ownerJson(home, 'account', 'status')).devices).toEqual({ connected: 1, revoked: 0, rejected: 0 });

  // Revoke: the service marks it, the device's ConnectStatus says so, the local catalog too.
  const revoked = await ownerJson(home, 'device', 'revoke', device.udf);
  expect(revoked).toMatchObject({ deviceUdf: device.udf, status: 'Revoked' });
  expect((await device.status()).Result).toBe('Revoked');
  const after = await ownerJson(home, 'device', 'list');
  expect(after.devices[0]).toMatchObject({ status: 'Revoked', serviceStatus: 'Revoked' });
  return { home, device };
}

describe('owner CLI over HTTP (file store)', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service?.close();
  });

  it('create, device request, pending, accept, verified result, list, revoke', async () => {
    await mainFlow(service, 'alice@example.com');
  });

  it('PIN: registered PIN, device connects with it, --auto-pin accepts only the PIN-verified request with the PIN roles', async () => {
    const home = join(service.directory, 'home-pin');
    await ownerJson(home, 'account', 'create', 'pat@example.com', '--service', service.url);
    const pin = await ownerJson(home, 'account', 'pin', '--expires', '30m', '--roles', 'thermostat');
    expect(pin.uri).toBe(`mcu://pat@example.com/${pin.pin}`);
    expect(Date.parse(pin.expires) - Date.now()).toBeGreaterThan(29 * 60_000);
    const line = await owner(home, 'account', 'pin');
    expect(line.stdout).toMatch(/^A[A-Z2-7]{3}(-[A-Z2-7]{1,4})+ mcu:\/\/pat@example\.com\/A\S+ expires \d{4}-/);

    // The device takes the account and PIN from the mcu:// URI it was given.
    const uri = parseConnectUri(pin.uri);
    const withPin = new ScriptedDevice(service.url, uri.account);
    await withPin.connect(uri.key);
    const without = new ScriptedDevice(service.url, 'pat@example.com');
    await without.connect();

    const pending = await ownerJson(home, 'device', 'pending');
    const byDevice = Object.fromEntries(pending.pending.map((p: any) => [p.deviceUdf, p]));
    expect(byDevice[withPin.udf]).toMatchObject({
      witness: withPin.witness,
      pin: 'verified',
      serviceSaysPinValidated: true,
      pinRoles: ['thermostat'],
    });
    expect(byDevice[without.udf]).toMatchObject({
      witness: without.witness,
      pin: 'none',
      serviceSaysPinValidated: false,
    });

    const auto = await ownerJson(home, 'device', 'accept', '--auto-pin');
    expect(auto.accepted).toEqual([
      expect.objectContaining({ deviceUdf: withPin.udf, witness: withPin.witness, roles: ['thermostat'] }),
    ]);
    expect(auto.skipped).toEqual([expect.objectContaining({ deviceUdf: without.udf, pin: 'none' })]);
    expect(auto.stderr).toContain(withPin.witness);
    const done = await withPin.complete();
    expect(done.result).toBe('Accept');
    expect(done.connection?.Roles).toEqual(['thermostat']);
    expect((await without.status()).Result).toBe('Pending');

    // The PIN vouches for one device: the service refuses a second use at ConnectStart
    // (the owner's own "used" check is exercised against a dishonest service in owner-forged).
    const reuse = new ScriptedDevice(service.url, uri.account);
    await expect(reuse.connect(uri.key)).rejects.toThrow(ForbiddenError);
  });

  it('an expired PIN is not auto-accepted, and the owner says why', async () => {
    const home = join(service.directory, 'home-expired-pin');
    await ownerJson(home, 'account', 'create', 'eve@example.com', '--service', service.url);
    const pin = await ownerJson(home, 'account', 'pin');
    // The owner's record of the PIN says it expired (the owner's clock decides, not the service's).
    const file = join(home, 'pins.json');
    const pins = JSON.parse(await readFile(file, 'utf8'));
    pins.Pins[0].Expires = '2020-01-01T00:00:00.000Z';
    await writeFile(file, JSON.stringify(pins), { mode: 0o600 });
    const device = new ScriptedDevice(service.url, 'eve@example.com');
    await device.connect(pin.pin);
    const pending = await ownerJson(home, 'device', 'pending');
    expect(pending.pending[0]).toMatchObject({ pin: 'expired', acceptable: true });
    expect(pending.pending[0].notes.join(' ')).toMatch(/PIN expired/);
    const auto = await ownerJson(home, 'device', 'accept', '--auto-pin');
    expect(auto.accepted).toEqual([]);
    // A person who compared the witness can still accept it.
    expect((await owner(home, 'device', 'accept', device.witness)).status).toBe(0);
    expect((await device.complete()).result).toBe('Accept');
  });

  it('reject by device UDF prefix: the device verifies a Reject and the catalog records it', async () => {
    const home = join(service.directory, 'home-reject');
    await ownerJson(home, 'account', 'create', 'rita@example.com', '--service', service.url);
    const device = new ScriptedDevice(service.url, 'rita@example.com');
    await device.connect();
    const rejected = await ownerJson(home, 'device', 'reject', device.udf.slice(0, 12));
    expect(rejected.rejected).toEqual({ deviceUdf: device.udf, witness: device.witness });
    expect((await device.complete()).result).toBe('Reject');
    expect((await ownerJson(home, 'device', 'pending')).pending).toEqual([]);
    expect((await ownerJson(home, 'device', 'list')).devices).toEqual([]);
    expect((await ownerJson(home, 'account', 'status')).devices).toEqual({ connected: 0, revoked: 0, rejected: 1 });
  });

  it('a replayed request of a connected device is flagged and cannot be accepted', async () => {
    const home = join(service.directory, 'home-replay');
    await ownerJson(home, 'account', 'create', 'ray@example.com', '--service', service.url);
    const device = new ScriptedDevice(service.url, 'ray@example.com');
    await device.connect();
    const original = device.request!;
    expect((await owner(home, 'device', 'accept', device.witness)).status).toBe(0);
    // Someone replays the device's signed request byte for byte: the service answers with the
    // acknowledgement it already gave and files nothing (docs/security.md "Replays").
    const replay = await device.client.connectStart({
      AccountAddress: 'ray@example.com',
      EnvelopedRequestConnection: original.json,
    });
    expect(replay.EnvelopedAcknowledgeConnection).toEqual(device.acknowledgement!.json);
    expect((await ownerJson(home, 'device', 'pending')).pending).toHaveLength(0);
    // A new request signed by the connected device's key is flagged and cannot be accepted.
    await device.connect();
    const pending = await ownerJson(home, 'device', 'pending');
    expect(pending.pending).toHaveLength(1);
    expect(pending.pending[0]).toMatchObject({ deviceUdf: device.udf, acceptable: false });
    expect(pending.pending[0].problems).toContain('this device is already connected to the account');
    const refused = await owner(home, 'device', 'accept', pending.pending[0].witness);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/cannot be answered: this device is already connected/);
  });

  it('a device UDF prefix that matches several requests is an error listing them', async () => {
    const home = join(service.directory, 'home-twice');
    await ownerJson(home, 'account', 'create', 'tom@example.com', '--service', service.url);
    const device = new ScriptedDevice(service.url, 'tom@example.com');
    const first = await device.connect();
    const second = await device.connect();
    expect(second).not.toBe(first);
    const r = await owner(home, 'device', 'accept', device.udf);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('<witness-or-device-udf>: matches 2 pending requests; give more characters');
    expect(r.stderr).toContain(`witness ${first} device ${device.udf}`);
    expect(r.stderr).toContain(`witness ${second} device ${device.udf}`);
    // The witness the device shows now picks exactly one.
    expect((await owner(home, 'device', 'accept', second)).status).toBe(0);
    expect((await device.complete()).result).toBe('Accept');
  });

  it('an unknown witness or UDF prefix is an error naming the argument', async () => {
    const home = join(service.directory, 'home-alice');
    const r = await owner(home, 'device', 'accept', 'ZZZZZZZZZZ');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/<witness-or-device-udf>: matches no pending request/);
    const v = await owner(home, 'device', 'revoke', 'MZZZZZZZZZ');
    expect(v.status).toBe(2);
    expect(v.stderr).toMatch(/<device-udf>: matches no device in the local catalog/);
  });

  it('an unreachable service: status reports it, pending exits 1 with the URL', async () => {
    const home = join(service.directory, 'home-down');
    await ownerJson(home, 'account', 'create', 'dan@example.com', '--service', service.url);
    const file = join(home, 'profile.json');
    const profile = JSON.parse(await readFile(file, 'utf8'));
    profile.Service = 'http://127.0.0.1:9/.well-known/mmm/';
    await writeFile(file, JSON.stringify(profile), { mode: 0o600 });
    const status = await ownerJson(home, 'account', 'status');
    expect(status).toMatchObject({ reachable: false });
    expect(status.serviceError).toContain('http://127.0.0.1:9/.well-known/mmm/');
    const pending = await owner(home, 'device', 'pending');
    expect(pending.status).toBe(1);
    expect(pending.stderr).toMatch(/cannot reach the Mesh service at http:\/\/127\.0\.0\.1:9\//);
  });
});

describe('owner CLI over HTTP: request expiry', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ config: { pendingLifetimeMs: 1500 } });
  });
  afterAll(async () => {
    await service?.close();
  });

  it('an expired request cannot be accepted, and the device is told Expired', async () => {
    const home = join(service.directory, 'home');
    await ownerJson(home, 'account', 'create', 'exp@example.com', '--service', service.url);
    const device = new ScriptedDevice(service.url, 'exp@example.com');
    await device.connect();
    await new Promise((r) => setTimeout(r, 2000));
    expect((await device.status()).Result).toBe('Expired');
    // The service no longer offers it, and the owner cannot answer it.
    const pending = await ownerJson(home, 'device', 'pending');
    expect(pending.pending.map((p: any) => p.deviceUdf)).not.toContain(device.udf);
    const refused = await owner(home, 'device', 'accept', device.witness);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/matches no pending request/);
  });
});

describe('owner CLI over HTTP (PostgreSQL store)', () => {
  let cluster: PostgresCluster | undefined;
  let service: TestService | undefined;
  beforeAll(async () => {
    cluster = await startPostgres();
    service = await startTestService({ store: await cluster.createDatabase('owner_flow') });
  }, 120_000);
  afterAll(async () => {
    await service?.close();
    await cluster?.stop();
  });

  it('the main flow on PostgreSQL', async () => {
    await mainFlow(service as TestService, 'paula@example.com');
  });
});
