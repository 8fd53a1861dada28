/**
 * @module test/helpers/agent-owner
 * An owner made with `mesh account create`, opened from its home for what the owner CLI does
 * not do yet: publishing a device's claim record (the maker) and claiming a QR label then
 * accepting the device (docs/mesh-compatibility.md §6.2 (b) 1 and 3), all through the real service.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { systemRandom } from '../../src/crypto/random.js';
import { createPublication } from '../../src/mesh/connect/cataloged-publication.js';
import { createMessageClaim, type CreatedMessageClaim } from '../../src/mesh/connect/message-claim.js';
import { acceptClaim, serviceRecipient } from '../../src/mesh/connect/respond-connection.js';
import { CatalogedPublicationSchema } from '../../src/mesh/objects/cataloged-publication.js';
import {
  accountKeyPairs,
  verifyProfileAccount,
  type AccountKeyPairs,
  type VerifiedProfileAccount,
} from '../../src/mesh/profiles/profile-account.js';
import { verifyProfileService } from '../../src/mesh/profiles/profile-service.js';
import { signerOf } from '../../src/mesh/profiles/signed-object.js';
import { MeshClient, type RequestSigner } from '../../src/platform/http/mesh-client.js';
import { meshAuthorizationSigner } from '../../src/cli/owner/request-signer.js';

export interface OpenedOwner {
  readonly account: string;
  readonly keys: AccountKeyPairs;
  readonly profile: VerifiedProfileAccount;
  readonly client: MeshClient;
  readonly signer: RequestSigner;
}

export async function openOwner(home: string, service: string): Promise<OpenedOwner> {
  const profile = JSON.parse(await readFile(join(home, 'profile.json'), 'utf8')) as {
    Account: string;
    EnvelopedProfileAccount: never;
  };
  const secrets = JSON.parse(await readFile(join(home, 'secrets.json'), 'utf8')) as { AccountSeed: string };
  const keys = accountKeyPairs(secrets.AccountSeed);
  return {
    account: profile.Account,
    keys,
    profile: verifyProfileAccount(profile.EnvelopedProfileAccount),
    client: new MeshClient({ service }),
    signer: meshAuthorizationSigner({
      account: profile.Account,
      key: keys.administratorSignature,
      now: () => new Date(),
      random: systemRandom,
    }),
  };
}

/** The maker publishes the device's claim record (Publish, signed by its admin key). */
export async function publishDevice(
  maker: OpenedOwner,
  deviceSeed: string,
): Promise<{ connectUri: string; publicationId: string }> {
  const made = createPublication({ deviceSeed, makerAccount: maker.account, random: systemRandom });
  await maker.client.publish(
    { Account: maker.account, CatalogedPublication: CatalogedPublicationSchema.toJson(made.publication) as never },
    maker.signer,
  );
  return { connectUri: made.connectUri, publicationId: made.publicationId };
}

/** Claim at the maker's service with a claim of the caller's making. */
export async function sendClaim(makerClient: MeshClient, claim: { json: unknown }) {
  return makerClient.claim({ EnvelopedMessageClaim: claim.json as never });
}

/** Scan, claim and accept, as an owner app would: Claim at the maker's, ConnectComplete at its own. */
export async function claimAndAccept(
  claimant: OpenedOwner,
  makerClient: MeshClient,
  connectUri: string,
  roles: readonly string[] = [],
): Promise<CreatedMessageClaim> {
  const claim = createMessageClaim({
    claimantProfile: claimant.profile,
    adminKey: signerOf(claimant.keys.administratorSignature),
    connectUri,
    random: systemRandom,
  });
  const answer = await sendClaim(makerClient, claim);
  const hello = await claimant.client.hello();
  const serviceKeys = verifyProfileService(hello.EnvelopedProfileService as never).keys;
  const accepted = acceptClaim({
    claimMessageId: claim.messageId,
    publication: CatalogedPublicationSchema.parse(answer.CatalogedPublication, 'CatalogedPublication'),
    connectUri,
    accountProfile: claimant.profile,
    accountKeys: claimant.keys,
    random: systemRandom,
    now: new Date(),
    roles,
    ...(serviceKeys.serviceEncryption === undefined
      ? {}
      : { additionalRecipients: [serviceRecipient(serviceKeys.serviceEncryption)] }),
  });
  await claimant.client.connectComplete(
    { AccountAddress: claimant.account, EnvelopedRespondConnection: accepted.json },
    claimant.signer,
  );
  return claim;
}
