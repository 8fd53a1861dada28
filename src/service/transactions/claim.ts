/**
 * @module service/transactions/claim
 * Claim (docs/mesh-compatibility.md §6.2 (b) 3; docs/service-protocol.md): someone who scanned a device's
 * QR label proves knowledge of its ConnectKey to the maker's service. The service checks the
 * claim's ServiceAuthenticate against the publication's Authenticator at 125 bits and the
 * claim's signature by the claimant's own admin key (mesh/connect/message-claim), stores the
 * claim for the device's PollClaim, and returns the CatalogedPublication whose EnvelopedData
 * only the ConnectKey opens.
 */
import { CatalogedPublicationSchema } from '../../mesh/objects/cataloged-publication.js';
import { ClaimAuthenticatorError } from '../../mesh/connect/connection-errors.js';
import { verifyClaimOnService } from '../../mesh/connect/message-claim.js';
import { UnauthorizedSignerError, UnsignedEnvelopeError } from '../../mesh/profiles/profile-errors.js';
import { asBadRequest, envelopeOf, payloadOf } from '../profile-checks.js';
import { Containers, getRecord, putRecord, type ClaimRecord, type PublicationRecord } from '../records.js';
import { ServiceRequestError, Status, forbidden, gone, notFound, unauthorized } from '../service-errors.js';
import { isoTime } from '../store-helpers.js';
import type { Transaction } from '../transaction.js';
import { ClaimRequestSchema, type ClaimRequest } from '../../mesh/messages/claim.js';
import { accountAddress } from '../../mesh/messages/account-address.js';
import { udfString } from '../../mesh/messages/udf-string.js';

const PATH = 'ClaimRequest.EnvelopedMessageClaim';

export const claim: Transaction<ClaimRequest> = {
  name: 'Claim',
  request: 'ClaimRequest',
  response: 'ClaimResponse',
  schema: ClaimRequestSchema,
  authorization: { kind: 'none' },
  // The publisher's account, read unverified only to pick its bucket and check its domain.
  frontDoor: {
    limit: 'Claim',
    account(request) {
      try {
        return accountAddress().parse(
          payloadOf(envelopeOf(request.EnvelopedMessageClaim, PATH), 'MessageClaim', PATH).Recipient,
          PATH,
        );
      } catch {
        return undefined;
      }
    },
  },
  async handle(request, { env, now }) {
    // docs/security.md "Size limits": the whole claim is bounded, which bounds every field in it.
    const bytes = new TextEncoder().encode(JSON.stringify(request.EnvelopedMessageClaim)).length;
    if (bytes > env.config.maxClaimBytes) {
      throw new ServiceRequestError(
        Status.TooLarge,
        `"${PATH}" is ${bytes} bytes, more than the limit of ${env.config.maxClaimBytes}`,
      );
    }
    // Read unverified only to find the publication; nothing is trusted until verifyClaimOnService.
    const claimed = payloadOf(envelopeOf(request.EnvelopedMessageClaim, PATH), 'MessageClaim', PATH);
    const publicationId = udfString().parse(claimed.PublicationId, `${PATH}.MessageClaim.PublicationId`);
    const publisher = accountAddress().parse(claimed.Recipient, `${PATH}.MessageClaim.Recipient`);
    const stored = await getRecord<PublicationRecord>(env.store, Containers.publications, publicationId);
    if (
      stored === undefined ||
      stored.value.Account !== publisher ||
      (await env.store.get(Containers.accounts, publisher)) === undefined
    ) {
      throw notFound(`no publication ${JSON.stringify(publicationId)} of ${publisher}`);
    }
    const publication = CatalogedPublicationSchema.parse(stored.value.CatalogedPublication, 'CatalogedPublication');
    if (publication.NotOnOrAfter !== undefined && publication.NotOnOrAfter.getTime() <= now) {
      throw gone(`the publication ${JSON.stringify(publicationId)} has expired`);
    }
    let verified;
    try {
      verified = verifyClaimOnService(request.EnvelopedMessageClaim, publication);
    } catch (error) {
      if (error instanceof ClaimAuthenticatorError) throw forbidden(`"${PATH}": ${error.message}`, { cause: error });
      if (error instanceof UnsignedEnvelopeError || error instanceof UnauthorizedSignerError) {
        throw unauthorized(`"${PATH}": ${error.message}`, { cause: error });
      }
      return asBadRequest(PATH, () => {
        throw error;
      });
    }
    const record: ClaimRecord = {
      Account: publisher,
      Claimant: verified.claimant.accountAddress.toLowerCase(),
      EnvelopedMessageClaim: verified.json,
      Received: isoTime(now),
    };
    await env.store.commit([putRecord(Containers.claims, publicationId, record)]);
    // The device's PollClaim need not wait for its next round.
    env.notices?.post({ publication: publicationId }, { type: 'claim', publicationId });
    return { fields: { CatalogedPublication: stored.value.CatalogedPublication } };
  },
};
