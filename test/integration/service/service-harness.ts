/**
 * @module test/integration/service/service-harness
 * Runs the Mesh service in-process on 127.0.0.1 at a random port, over a file store or a
 * throwaway PostgreSQL database, with a clock the test moves; and plays its clients with the
 * core library only: owners (profile, admin key, signed requests) and devices.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../../src/crypto/clock.js';
import { seededRandom, type RandomSource } from '../../../src/crypto/random.js';
import {
  accountKeyPairs,
  createProfileAccount,
  verifyProfileAccount,
} from '../../../src/mesh/profiles/profile-account.js';
import { verifyProfileService } from '../../../src/mesh/profiles/profile-service.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../src/mesh/udf/derived-key-seed.js';
import { keyFingerprint } from '../../../src/mesh/udf/key-fingerprint.js';
import type { ServiceConfig } from '../../../src/service/service-config.js';
import { base64urlDecode } from '../../../src/mesh/encoding/base64url.js';
import { REQUEST_NONCE_LENGTH, createRequestAuthorization } from '../../../src/mesh/connect/request-authorization.js';
import { startService, type RunningService } from '../../../src/service/service-runner.js';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres.js';
import { verifyAcknowledgeConnection } from '../../../src/mesh/connect/acknowledge-connection.js';
import { createRequestConnection } from '../../../src/mesh/connect/request-connection.js';
import { acceptConnection } from '../../../src/mesh/connect/respond-connection.js';
import { deviceBaseKeyPairs } from '../../../src/mesh/profiles/profile-device.js';
import { recipientOf, signerOf } from '../../../src/mesh/profiles/signed-object.js';
import { responseId } from '../../../src/mesh/udf/message-id.js';

export type StoreKind = 'file' | 'postgres';

export interface Reply {
  readonly http: number;
  readonly name: string;
  readonly body: Record<string, any>;
  readonly raw: string;
}

export async function post(
  url: string,
  body: string | Uint8Array | object,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const data = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  const response = await fetch(url, {
    method: 'POST',
    body: data,
    headers: { 'content-type': 'application/json', ...headers },
  });
  const raw = await response.text();
  const json = JSON.parse(raw) as Record<string, Record<string, any>>;
  const names = Object.keys(json);
  if (names.length !== 1) throw new Error(`reply has ${names.length} members: ${raw.slice(0, 200)}`);
  const name = names[0] as string;
  return { http: response.status, name, body: json[name] as Record<string, any>, raw };
}

/** A clock the test moves. */
export class TestClock {
  now = Date.parse('2026-11-21T10:00:00Z');
  /** The service's view of this clock; sleeps are real (the service does not sleep on it). */
  readonly read: Clock = { now: () => new Date(this.now), sleep: systemClock.sleep };
  advance(ms: number): void {
    this.now += ms;
  }
  date(): Date {
    return new Date(this.now);
  }
}

export interface StoreBackend {
  readonly kind: StoreKind;
  /** A fresh, empty store spec plus a data directory. */
  fresh(): Promise<{ readonly spec: string; readonly dataDirectory: string }>;
  stop(): Promise<void>;
}

let databases = 0;

export async function storeBackend(kind: StoreKind): Promise<StoreBackend> {
  const directories: string[] = [];
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'mesh-service-'));
    directories.push(dir);
    return dir;
  };
  let cluster: PostgresCluster | undefined;
  if (kind === 'postgres') cluster = await startPostgres();
  return {
    kind,
    async fresh() {
      const dataDirectory = await tempDir();
      if (cluster === undefined) return { spec: 'file', dataDirectory };
      const url = await cluster.createDatabase(`mesh_service_${process.pid}_${++databases}`);
      return { spec: url, dataDirectory };
    },
    async stop() {
      await cluster?.stop();
      for (const dir of directories) await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TestService {
  readonly url: string;
  readonly running: RunningService;
  readonly clock: TestClock;
  readonly serviceProfile: ReturnType<typeof verifyProfileService>;
  /** Stops this instance and starts another on the same data directory and store. */
  restart(): Promise<TestService>;
  close(): Promise<void>;
}

export async function startTestService(
  location: { spec: string; dataDirectory: string },
  options: { clock?: TestClock; config?: Partial<ServiceConfig> } = {},
): Promise<TestService> {
  const clock = options.clock ?? new TestClock();
  const running = await startService({
    dataDirectory: location.dataDirectory,
    listen: { host: '127.0.0.1', port: 0 },
    store: location.spec,
    clock: clock.read,
    maintenanceIntervalMs: 0,
    ...(options.config === undefined ? {} : { config: options.config }),
  });
  const hello = await post(running.url, { HelloRequest: {} });
  const serviceProfile = verifyProfileService(hello.body['EnvelopedProfileService']);
  const self: TestService = {
    url: running.url,
    running,
    clock,
    serviceProfile,
    async restart() {
      await running.close();
      return startTestService(location, { clock, ...(options.config === undefined ? {} : { config: options.config }) });
    },
    close: () => running.close(),
  };
  return self;
}

export function seedOf(kind: keyof typeof KeySpecifier, random: RandomSource): string {
  return newDerivedKeySeedUdf(KeySpecifier[kind], random);
}

/** An account owner played with the library: profile, admin key, signed requests. */
export class TestOwner {
  readonly keys;
  readonly profile;
  readonly admin;
  constructor(
    readonly account: string,
    readonly random: RandomSource,
    readonly clock: TestClock,
    serviceUdf?: string,
  ) {
    const seed = seedOf('MeshProfileAccount', random);
    this.keys = accountKeyPairs(seed);
    const created = createProfileAccount(seed, {
      accountAddress: account,
      keys: this.keys,
      ...(serviceUdf === undefined ? {} : { serviceUdf }),
    });
    this.profile = verifyProfileAccount(created.json);
    this.admin = signerOf(this.keys.administratorSignature);
  }

  /** The Mesh-Authorization header for `body`, by `key` (default: this owner's admin key). */
  authorize(
    body: string,
    options: {
      key?: ReturnType<typeof accountKeyPairs>['administratorSignature'];
      created?: number;
      nonce?: string;
      account?: string;
    } = {},
  ): Record<string, string> {
    const key = options.key ?? this.keys.administratorSignature;
    const header = createRequestAuthorization({
      account: options.account ?? this.account,
      adminKey: key,
      kid: keyFingerprint(key),
      created: new Date(Math.floor((options.created ?? this.clock.now) / 1000) * 1000),
      nonce: options.nonce === undefined ? this.random(REQUEST_NONCE_LENGTH) : base64urlDecode(options.nonce),
      body: new TextEncoder().encode(body),
    });
    return { 'mesh-authorization': header };
  }

  /** Posts `request` signed. */
  async signed(url: string, request: object, options: Parameters<TestOwner['authorize']>[1] = {}): Promise<Reply> {
    const body = JSON.stringify(request);
    return post(url, body, this.authorize(body, options));
  }

  async create(url: string): Promise<Reply> {
    return this.signed(url, { CreateRequest: { Account: this.account, EnvelopedProfileAccount: this.profile.json } });
  }
}

export function testRandom(seed: number): RandomSource {
  return seededRandom(seed);
}

/** A device made with the core library only (its seed, random source and base keys). */
export function makeDevice(seed: number) {
  const random = testRandom(seed);
  const deviceSeed = seedOf('MeshProfileDevice', random);
  return { random, deviceSeed, baseKeys: deviceBaseKeyPairs(deviceSeed) };
}

/** A scripted device's ConnectStart to `owner`'s account, its verified acknowledgement and ResponseId. */
export async function startConnection(service: TestService, owner: TestOwner, seed: number, pin?: string) {
  const device = makeDevice(seed);
  const request = createRequestConnection({
    deviceSeed: device.deviceSeed,
    accountAddress: owner.account,
    random: device.random,
    ...(pin === undefined ? {} : { pin }),
  });
  const reply = await post(service.url, {
    ConnectStartRequest: { AccountAddress: owner.account, EnvelopedRequestConnection: request.json },
  });
  if (reply.body['Status'] !== 201) throw new Error(`ConnectStart answered ${reply.raw.slice(0, 300)}`);
  const ack = verifyAcknowledgeConnection(reply.body['EnvelopedAcknowledgeConnection'], {
    accountProfile: owner.profile,
    serviceKey: service.serviceProfile.keys.serviceSignature,
    expectedRequestMessageId: request.messageId,
  });
  return { device, request, ack, deviceUdf: request.profile.udf, responseId: responseId(ack.messageId) };
}

/** The owner accepts a started request with ConnectComplete (encrypted to the service too). */
export async function acceptStarted(
  service: TestService,
  owner: TestOwner,
  started: Awaited<ReturnType<typeof startConnection>>,
  seed: number,
): Promise<Reply> {
  const accepted = acceptConnection({
    acknowledgement: started.ack,
    accountProfile: owner.profile,
    accountKeys: owner.keys,
    roles: ['web'],
    random: testRandom(seed),
    now: service.clock.date(),
    additionalRecipients: [recipientOf(service.serviceProfile.keys.serviceEncryption!)],
  });
  return owner.signed(service.url, {
    ConnectCompleteRequest: { AccountAddress: owner.account, EnvelopedRespondConnection: accepted.json },
  });
}
