/**
 * @module test/integration/owner/owner-harness
 * What the owner integration tests share: a real Mesh service on 127.0.0.1 (in process, so a
 * test can shorten its lifetimes), the owner CLI run in process against a temp --home, and a
 * scripted device made of the core library only: it does ConnectStart, checks
 * the acknowledgement and witness itself, polls ConnectStatus and verifies the answer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { systemRandom } from '../../../src/crypto/random.js';
import {
  verifyAcknowledgeConnection,
  type VerifiedAcknowledgeConnection,
} from '../../../src/mesh/connect/acknowledge-connection.js';
import { completeConnection, type CompletedConnection } from '../../../src/mesh/connect/complete-connection.js';
import {
  createRequestConnection,
  type CreatedRequestConnection,
} from '../../../src/mesh/connect/request-connection.js';
import { verifyProfileAccount, type VerifiedProfileAccount } from '../../../src/mesh/profiles/profile-account.js';
import { verifyProfileService } from '../../../src/mesh/profiles/profile-service.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../src/mesh/udf/derived-key-seed.js';
import { responseId } from '../../../src/mesh/udf/message-id.js';
import { MeshClient, type ConnectStatusResponse } from '../../../src/platform/http/mesh-client.js';
import type { ServiceConfig } from '../../../src/service/service-config.js';
import { startService, type RunningService } from '../../../src/service/service-runner.js';
import { runMesh, type CliResult } from '../../helpers/run-cli.js';

export interface TestService {
  readonly url: string;
  readonly running: RunningService;
  readonly directory: string;
  close(): Promise<void>;
}

export async function startTestService(
  options: { store?: string; config?: Partial<ServiceConfig> } = {},
): Promise<TestService> {
  const directory = await mkdtemp(join(tmpdir(), 'mesh-owner-it-'));
  const running = await startService({
    dataDirectory: join(directory, 'data'),
    listen: { host: '127.0.0.1', port: 0 },
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.config === undefined ? {} : { config: options.config }),
    maintenanceIntervalMs: 0,
  });
  return {
    url: running.url,
    running,
    directory,
    async close() {
      await running.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Runs `mesh <args> --home <home>` in process. */
export function owner(home: string, ...args: string[]): Promise<CliResult> {
  return runMesh([...args, '--home', home]);
}

/** Runs it with --json, expects exit 0 and returns the parsed object. */
export async function ownerJson<T = Record<string, any>>(
  home: string,
  ...args: string[]
): Promise<T & { stderr: string }> {
  const result = await owner(home, ...args, '--json');
  expect(result.status, `mesh ${args.join(' ')}: ${result.stderr}`).toBe(0);
  expect(result.stdout.split('\n')).toHaveLength(1);
  return { ...(JSON.parse(result.stdout) as T), stderr: result.stderr };
}

/** A device built from the core library: fresh seed, signed request, its own checks. */
export class ScriptedDevice {
  readonly seed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, systemRandom);
  readonly client: MeshClient;
  request?: CreatedRequestConnection;
  accountProfile?: VerifiedProfileAccount;
  acknowledgement?: VerifiedAcknowledgeConnection;

  constructor(
    url: string,
    readonly account: string,
  ) {
    this.client = new MeshClient({ service: url });
  }

  get udf(): string {
    if (this.request === undefined) throw new Error('no request yet');
    return this.request.profile.udf;
  }

  get witness(): string {
    if (this.acknowledgement === undefined) throw new Error('no acknowledgement yet');
    return this.acknowledgement.witness;
  }

  /** ConnectStart; verifies the acknowledgement (service key from Hello) and recomputes the witness. */
  async connect(pin?: string): Promise<string> {
    const hello = await this.client.hello();
    const service = verifyProfileService(hello.EnvelopedProfileService as never);
    this.request = createRequestConnection({
      deviceSeed: this.seed,
      accountAddress: this.account,
      random: systemRandom,
      ...(pin === undefined ? {} : { pin }),
      ...(this.request === undefined ? {} : { profile: this.request.profile }),
    });
    const response = await this.client.connectStart({
      AccountAddress: this.account,
      EnvelopedRequestConnection: this.request.json,
    });
    this.accountProfile = verifyProfileAccount(response.EnvelopedProfileAccount);
    this.acknowledgement = verifyAcknowledgeConnection(response.EnvelopedAcknowledgeConnection, {
      accountProfile: this.accountProfile,
      serviceKey: service.keys.serviceSignature,
      expectedRequestMessageId: this.request.messageId,
    });
    return this.acknowledgement.witness;
  }

  async status(): Promise<ConnectStatusResponse> {
    if (this.acknowledgement === undefined) throw new Error('no acknowledgement yet');
    return this.client.connectStatus({
      AccountAddress: this.account,
      ResponseId: responseId(this.acknowledgement.messageId),
    });
  }

  /** ConnectStatus, then the library's verification of the owner's answer. */
  async complete(): Promise<CompletedConnection> {
    const status = await this.status();
    expect(['Accept', 'Reject']).toContain(status.Result);
    expect(status.EnvelopedRespondConnection).toBeDefined();
    return completeConnection({
      respond: status.EnvelopedRespondConnection as never,
      deviceSeed: this.seed,
      accountProfile: this.accountProfile as VerifiedProfileAccount,
      acknowledgement: this.acknowledgement as VerifiedAcknowledgeConnection,
    });
  }
}
