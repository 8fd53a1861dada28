/**
 * @module cli/commands/device-claim
 * `mesh device claim <mcu://maker@domain/E…> [--roles r1,r2] [--fingerprint UDF]
 * [--maker-service URL]`: the owner's side of a static-QR label (docs/mesh-compatibility.md §6.2 (b) 3).
 *
 * 1. The URI read off the label is parsed (a PIN URI or an altered one is refused, exit 2).
 * 2. A MessageClaim {Sender = this account, Recipient = the maker, PublicationId,
 *    ServiceAuthenticate, DeviceAuthenticate} signed by the owner's admin key goes to the
 *    maker's service (Claim), which checks ServiceAuthenticate and returns the device's
 *    CatalogedPublication.
 * 3. The publication is decrypted with the label's ConnectKey and the ProfileDevice inside
 *    verified; the device fingerprint is written on standard error (and is in --json) before
 *    anything is accepted, and with --fingerprint must match what the person read off the
 *    label.
 * 4. Accept: a fresh activation, the RespondConnection (MessageId = ResponseId(claim
 *    MessageId)) signed by the admin key and encrypted to the device and to the owner's own
 *    service, posted by ConnectComplete to the owner's service; the device is recorded in the
 *    local catalog. The device, polling the maker's service, finds the claim, checks it and
 *    collects the answer from this owner's service.
 *
 * Exit 1 when the maker's service refuses the claim (an unknown or altered label: 404/403),
 * when its answer does not open with the label's key, or on the owner's service refusing.
 */
import { MeshError } from '../../crypto/errors.js';
import { openPublication } from '../../mesh/connect/cataloged-publication.js';
import { parseConnectUri } from '../../mesh/connect/connect-uri.js';
import { createMessageClaim } from '../../mesh/connect/message-claim.js';
import { acceptClaim } from '../../mesh/connect/respond-connection.js';
import { CatalogedPublicationSchema, type CatalogedPublication } from '../../mesh/objects/cataloged-publication.js';
import type { VerifiedProfileDevice } from '../../mesh/profiles/profile-device.js';
import { recipientOf, sealObject, signerOf } from '../../mesh/profiles/signed-object.js';
import { ForbiddenError, GoneError, NotFoundError } from '../../platform/http/http-errors.js';
import { MeshClient } from '../../platform/http/mesh-client.js';
import { forArgument, onePositional, optionalString } from '../args.js';
import { CheckFailedError, UsageError } from '../cli-errors.js';
import { terminalJson, terminalText } from '../../mesh/encoding/terminal-text.js';
import type { Command } from '../command.js';
import { makerServiceUrl, type SrvLookup } from '../factory/maker-service.js';
import type { LocalDevice } from '../owner/home-records.js';
import {
  HOME_OPTION,
  canonicalSelector,
  homeDirectory,
  matchesSelector,
  rolesOption,
  selectorArgument,
  insecureHttpOption,
} from '../owner/owner-args.js';
import {
  defaultOwnerEnvironment,
  helloService,
  isServiceError,
  openOwnerSession,
  serviceStep,
  type OwnerEnvironment,
} from '../owner/owner-session.js';

const ARGUMENT = '<mcu-uri>';

export interface DeviceClaimEnvironment extends OwnerEnvironment {
  readonly srvLookup?: SrvLookup;
}

/** The label's URI, checked: a static-QR ConnectUri (mcu://maker@domain/E…). */
export function claimUri(raw: string): ReturnType<typeof parseConnectUri> & { uri: string } {
  const trimmed = raw.trim();
  const parsed = forArgument(ARGUMENT, () => parseConnectUri(trimmed));
  if (parsed.kind !== 'ConnectKey') {
    throw new UsageError(
      'is a PIN URI (mcu://account/A…), which `mesh-agent` connects with; a device label carries a ConnectKey (E…)',
      ARGUMENT,
    );
  }
  return { ...parsed, uri: trimmed };
}

/** What the maker's refusal means for the person holding the label. */
function claimRefused(error: MeshError, maker: string): CheckFailedError {
  const hint =
    error instanceof NotFoundError
      ? `the maker's service knows no device for this label (a mistyped, altered or unpublished label, or not ${maker}'s)`
      : error instanceof ForbiddenError
        ? "the maker's service refused the label's key (an altered label)"
        : error instanceof GoneError
          ? "the label's claim record has expired at the maker's service"
          : 'the claim failed';
  return new CheckFailedError(`${hint}: ${error.message}`, { cause: error });
}

export function makeDeviceClaim(env: DeviceClaimEnvironment = defaultOwnerEnvironment): Command {
  return {
    path: ['device', 'claim'],
    summary:
      "Claim a device by its label's mcu:// URI: claim at the maker's service, show its fingerprint, accept it on your account.",
    usage: `${ARGUMENT} [--roles r1,r2] [--fingerprint UDF] [--maker-service URL] [--home DIR] [--json]`,
    options: {
      ...HOME_OPTION,
      roles: { type: 'string' },
      fingerprint: { type: 'string' },
      'maker-service': { type: 'string' },
    },
    async run(args, ctx) {
      const label = claimUri(onePositional(args, 'mcu-uri'));
      const roles = rolesOption(args) ?? [];
      const fingerprintRaw = optionalString(args, 'fingerprint');
      const fingerprint = fingerprintRaw === undefined ? undefined : selectorArgument(fingerprintRaw, '--fingerprint');
      const makerServiceOption = optionalString(args, 'maker-service');
      const makerClient = forArgument('--maker-service', () =>
        makerServiceOption === undefined
          ? undefined
          : new MeshClient({
              service: makerServiceOption,
              allowInsecureHttp: insecureHttpOption(args),
              ...(env.timeoutMs === undefined ? {} : { timeoutMs: env.timeoutMs }),
            }),
      );
      const json = args.values['json'] === true;

      const session = await openOwnerSession(homeDirectory(args, ctx.env), env, insecureHttpOption(args));
      const maker =
        makerClient ??
        new MeshClient({
          service: (await makerServiceUrl(label.account, env.srvLookup)).url,
          ...(env.timeoutMs === undefined ? {} : { timeoutMs: env.timeoutMs }),
        });

      const claim = createMessageClaim({
        claimantProfile: session.profile,
        adminKey: signerOf(session.keys.administratorSignature),
        connectUri: label.uri,
        random: session.env.random,
      });
      let answer: Awaited<ReturnType<MeshClient['claim']>>;
      try {
        answer = await maker.claim({ EnvelopedMessageClaim: claim.json });
      } catch (error) {
        if (error instanceof NotFoundError || error instanceof ForbiddenError || error instanceof GoneError)
          throw claimRefused(error, label.account);
        if (isServiceError(error))
          throw new CheckFailedError(`the maker's service: ${error.message}`, { cause: error });
        throw error;
      }

      // The publication must open with the label's key and hold a validly signed profile:
      // otherwise the maker's service answered for another device (or not honestly).
      let publication: CatalogedPublication;
      let device: VerifiedProfileDevice;
      try {
        publication = CatalogedPublicationSchema.parse(
          answer.CatalogedPublication,
          'ClaimResponse.CatalogedPublication',
        );
        device = openPublication(publication, label.uri);
      } catch (error) {
        if (!(error instanceof MeshError)) throw error;
        throw new CheckFailedError(
          `${maker.endpoint} answered with a claim record this label does not open (${error.message})`,
          { cause: error },
        );
      }
      const description = device.profile.Description;
      // The fingerprint line holds only the UDF computed here; the device's own words go on a line of their own.
      ctx.err(`device fingerprint ${device.udf}`);
      if (description !== undefined)
        ctx.err(`description        ${terminalText(description)} (as the device describes itself)`);
      ctx.err(`maker              ${label.account} (${maker.endpoint})`);
      if (fingerprint !== undefined && !matchesSelector(device.udf, fingerprint)) {
        throw new CheckFailedError(
          `the device behind this label has fingerprint ${device.udf}, not ${fingerprintRaw}: not accepted (compare with the fingerprint printed on the label)`,
          { context: { expected: canonicalSelector(fingerprintRaw as string) } },
        );
      }

      const service = await serviceStep(() => helloService(session.client, session.profile.profile.ServiceUdf));
      const now = session.env.now();
      const accepted = acceptClaim({
        claimMessageId: claim.messageId,
        publication,
        connectUri: label.uri,
        accountProfile: session.profile,
        accountKeys: session.keys,
        random: session.env.random,
        now,
        roles,
        ...(service?.keys.serviceEncryption === undefined
          ? {}
          : { additionalRecipients: [recipientOf(service.keys.serviceEncryption)] }),
      });
      await serviceStep(() =>
        session.client.connectComplete(
          { AccountAddress: session.record.Account, EnvelopedRespondConnection: accepted.json },
          session.signer,
        ),
      );
      const cataloged = sealObject('CatalogedDevice', accepted.catalogedDevice, {
        signer: signerOf(session.keys.administratorSignature),
      });
      const entry: LocalDevice = {
        DeviceUdf: device.udf,
        // No witness in a claim: the label's PublicationId is what the person confirmed.
        Witness: `claim:${claim.publicationId}`,
        Status: 'Connected',
        Roles: [...roles],
        ...(description === undefined ? {} : { Description: description }),
        Answered: now.toISOString(),
        EnvelopedCatalogedDevice: cataloged.json,
      };
      await session.home.updateDevices((current) => ({
        ...current,
        Devices: [
          ...current.Devices.filter((d) => !(d.DeviceUdf === entry.DeviceUdf && d.Status !== 'Rejected')),
          entry,
        ],
      }));

      const result = {
        deviceUdf: device.udf,
        ...(description === undefined ? {} : { description }),
        maker: label.account,
        makerService: maker.endpoint,
        publicationId: claim.publicationId,
        claimId: claim.messageId,
        responseId: accepted.messageId,
        roles,
      };
      if (json) ctx.out(terminalJson(result));
      else
        ctx.out(
          `claimed ${device.udf} from ${label.account} roles ${roles.join(',') || '-'}; it connects when it next polls ${maker.endpoint}`,
        );
    },
  };
}

export const deviceClaim = makeDeviceClaim();
