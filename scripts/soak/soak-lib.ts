/**
 * @module scripts/soak/soak-lib
 * What the soak needs from the library, bundled by esbuild for the plain-ESM soak script:
 * a stranger's valid, device-signed ConnectStart bodies (small, oversized, with a guessed
 * PIN) and a real device that connects, checks the service's acknowledgement and witness
 * itself, and verifies the owner's answer rather than trust the service (mesh-security-05 §3.12-3.13).
 */
import { systemRandom } from '../../src/crypto/random.js';
import {
  verifyAcknowledgeConnection,
  type VerifiedAcknowledgeConnection,
} from '../../src/mesh/connect/acknowledge-connection.js';
import { completeConnection } from '../../src/mesh/connect/complete-connection.js';
import { newPin } from '../../src/mesh/connect/pin.js';
import { createRequestConnection, type CreatedRequestConnection } from '../../src/mesh/connect/request-connection.js';
import { verifyProfileAccount, type VerifiedProfileAccount } from '../../src/mesh/profiles/profile-account.js';
import { createProfileDevice } from '../../src/mesh/profiles/profile-device.js';
import { verifyProfileService } from '../../src/mesh/profiles/profile-service.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../src/mesh/udf/derived-key-seed.js';
import { responseId } from '../../src/mesh/udf/message-id.js';
import { MeshClient } from '../../src/platform/http/mesh-client.js';

export interface StrangerOptions {
  readonly pin?: string | true;
  readonly descriptionLength?: number;
}

/** The ConnectStart body of a fresh device the stranger made. */
export function strangerConnectStart(account: string, options: StrangerOptions = {}): string {
  const deviceSeed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, systemRandom);
  const profile =
    options.descriptionLength === undefined
      ? undefined
      : createProfileDevice(deviceSeed, { description: 'x'.repeat(options.descriptionLength) });
  const pin = options.pin === true ? newPin(systemRandom) : options.pin;
  const created = createRequestConnection({
    deviceSeed,
    accountAddress: account,
    random: systemRandom,
    ...(profile === undefined ? {} : { profile }),
    ...(pin === undefined ? {} : { pin }),
  });
  return JSON.stringify({ ConnectStartRequest: { AccountAddress: account, EnvelopedRequestConnection: created.json } });
}

/** A real device made with the core library. */
export class RealDevice {
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

  get udf(): string | undefined {
    return this.request?.profile.udf;
  }

  get witness(): string | undefined {
    return this.acknowledgement?.witness;
  }

  /** The ConnectStart body it sent (what an eavesdropper could replay). */
  get body(): string {
    return JSON.stringify({
      ConnectStartRequest: { AccountAddress: this.account, EnvelopedRequestConnection: this.request?.json },
    });
  }

  async connect(pin?: string): Promise<string> {
    const hello = await this.client.hello();
    const service = verifyProfileService(hello.EnvelopedProfileService as never);
    this.request = createRequestConnection({
      deviceSeed: this.seed,
      accountAddress: this.account,
      random: systemRandom,
      ...(pin === undefined ? {} : { pin }),
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

  /** ConnectStatus and the library's verification of the owner's answer: 'Accept', 'Reject' or the status Result. */
  async outcome(): Promise<string> {
    if (this.acknowledgement === undefined || this.accountProfile === undefined) return 'not connected';
    const status = await this.client.connectStatus({
      AccountAddress: this.account,
      ResponseId: responseId(this.acknowledgement.messageId),
    });
    if (status.EnvelopedRespondConnection === undefined) return String(status.Result);
    const done = completeConnection({
      respond: status.EnvelopedRespondConnection as never,
      deviceSeed: this.seed,
      accountProfile: this.accountProfile,
      acknowledgement: this.acknowledgement,
    });
    return done.result;
  }
}
