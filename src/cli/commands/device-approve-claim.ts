/**
 * @module cli/commands/device-approve-claim
 * `mesh device approve-claim <device-udf> --claimant <account> [--expires 1h]`: an existing
 * owner's approval of a later claim of its device ("a second or later claim …
 * needs approval from an existing owner"; the agent's `claims.additionalClaims:
 * "owner-approval"`). The account's AdministratorSignature key signs a ClaimApproval
 * {DeviceUdf, Claimant, Expires}, which Publish files under the account's catalog entry of
 * the device; the device reads it with the ConnectStatus it polls for this owner and
 * connects the claimant (docs/service-protocol.md "Claim approval"; src/agent/README.md).
 *
 * The device is looked up in the service's catalog of this account (a device connected by
 * a claim may not be in the local one), by a prefix of its UDF, among those still
 * Connected: only a device this account is connected to can act on its approval.
 */
import { createClaimApproval } from '../../mesh/connect/claim-approval.js';
import { checkAccountAddress } from '../../mesh/connect/connect-uri.js';
import { sameAccount } from '../../mesh/connect/request-connection.js';
import { signerOf } from '../../mesh/profiles/signed-object.js';
import type { DataItem } from '../../mesh/messages/data-item.js';
import { onePositional } from '../args.js';
import { UsageError } from '../cli-errors.js';
import { terminalJson } from '../../mesh/encoding/terminal-text.js';
import type { Command } from '../command.js';
import {
  HOME_OPTION,
  durationOption,
  homeDirectory,
  selectorArgument,
  insecureHttpOption,
} from '../owner/owner-args.js';
import {
  defaultOwnerEnvironment,
  openOwnerSession,
  serviceStep,
  type OwnerEnvironment,
  type OwnerSession,
} from '../owner/owner-session.js';
import { selectOne } from '../owner/select-request.js';

export const DEFAULT_APPROVAL_EXPIRY_SECONDS = 3600;
/** Pages of the service's device catalog read at most (a page is up to the service's maximum). */
const MAX_CATALOG_PAGES = 64;

/** `--claimant`: the account allowed to claim. */
function claimantOption(value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new UsageError('is required: the account whose claim is approved (user@domain)', '--claimant');
  try {
    checkAccountAddress(value, '--claimant');
  } catch {
    throw new UsageError(
      `expected an account address user@domain, got ${terminalJson(value.slice(0, 80))}`,
      '--claimant',
    );
  }
  return value.toLowerCase();
}

/** The account's catalog at its service: every entry, following PageKey. */
async function serviceCatalog(session: OwnerSession): Promise<DataItem[]> {
  const items: DataItem[] = [];
  let pageKey: string | undefined;
  for (let page = 0; page < MAX_CATALOG_PAGES; page++) {
    const answer = await serviceStep(() =>
      session.client.get({
        Account: session.record.Account,
        KeyValues: [{ Key: 'Devices' }],
        ...(pageKey === undefined ? {} : { SearchConstraints: { PageKey: pageKey } }),
      }),
    );
    items.push(...answer.DataItems);
    pageKey = answer.PageKey;
    if (pageKey === undefined) break;
  }
  return items;
}

export function makeDeviceApproveClaim(env: OwnerEnvironment = defaultOwnerEnvironment): Command {
  return {
    path: ['device', 'approve-claim'],
    summary: 'Approve, as an existing owner, a later claim of a connected device by another account.',
    usage: '<device-udf> --claimant <account> [--expires 1h] [--home DIR] [--json]',
    options: { ...HOME_OPTION, claimant: { type: 'string' }, expires: { type: 'string' } },
    async run(args, ctx) {
      const selector = selectorArgument(onePositional(args, 'device-udf'), '<device-udf>');
      const claimant = claimantOption(args.values['claimant']);
      const seconds = durationOption(args, 'expires', DEFAULT_APPROVAL_EXPIRY_SECONDS);
      const session = await openOwnerSession(homeDirectory(args, ctx.env), env, insecureHttpOption(args));
      const account = session.record.Account;
      if (sameAccount(claimant, account))
        throw new UsageError(`names this account (${account}), which is already an owner`, '--claimant');
      const connected = (await serviceCatalog(session)).filter(
        (d) => d.Type === 'CatalogedDevice' && d.Status === 'Connected' && typeof d.Key === 'string',
      );
      const device = selectOne(
        connected.map((d) => ({ deviceUdf: d.Key as string })),
        selector,
        '<device-udf>',
        `device connected to ${account}`,
      );
      const now = env.now();
      // Whole seconds: the RFC 3339 form on the wire carries no fractions.
      const expires = new Date(Math.floor(now.getTime() / 1000) * 1000 + seconds * 1000);
      const approval = createClaimApproval({
        accountProfile: session.profile,
        adminKey: signerOf(session.keys.administratorSignature),
        deviceUdf: device.deviceUdf,
        claimant,
        expires,
        random: env.random,
      });
      await serviceStep(() =>
        session.client.publish({ Account: account, EnvelopedClaimApproval: approval.json }, session.signer),
      );
      const result = {
        deviceUdf: approval.approval.DeviceUdf,
        claimant,
        expires: expires.toISOString(),
        messageId: approval.messageId,
      };
      if (args.values['json']) ctx.out(terminalJson(result));
      else
        ctx.out(
          `approved a claim of ${result.deviceUdf} by ${claimant} until ${result.expires}; the device connects ${claimant} when it next asks ${account}'s service`,
        );
    },
  };
}

export const deviceApproveClaim = makeDeviceApproveClaim();
