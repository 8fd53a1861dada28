/**
 * @module cli/commands/device-pending
 * `mesh device pending`: the connection requests waiting for the account, each verified by
 * the owner (pending-requests.ts): witness (recomputed), device fingerprint (ProfileDevice
 * UDF), the owner's own PIN check, when received, and whether it can be accepted; and the
 * witness's countable check code (agent/check-code), the digits the device's LED blinks.
 */
import { checkCode } from '../../agent/check-code.js';
import { UsageError } from '../cli-errors.js';
import type { Command } from '../command.js';
import { HOME_OPTION, homeDirectory } from '../owner/owner-args.js';
import { defaultOwnerEnvironment, openOwnerSession, serviceStep, type OwnerEnvironment } from '../owner/owner-session.js';
import { listPendingRequests, pendingRequestJson, type PendingRequest } from '../owner/pending-requests.js';
import { textTable } from '../owner/text-table.js';

/** Only a witness the owner recomputed gets a check code: a claimed one proves nothing. */
function checkCodeOf(r: PendingRequest): string | undefined {
  return r.verified === undefined ? undefined : checkCode(r.witness);
}

export function makeDevicePending(env: OwnerEnvironment = defaultOwnerEnvironment): Command {
  return {
    path: ['device', 'pending'],
    summary: 'List connection requests: witness, check code, device fingerprint, PIN check, received, and any problem.',
    usage: '[--home DIR] [--json]',
    options: { ...HOME_OPTION },
    async run(args, ctx) {
      if (args.positionals.length > 0) throw new UsageError('unexpected argument (this command takes options only)', args.positionals[0]);
      const session = await openOwnerSession(homeDirectory(args, ctx.env), env);
      const { requests } = await serviceStep(() => listPendingRequests(session));
      if (args.values['json']) {
        ctx.out(JSON.stringify({ account: session.record.Account, pending: requests.map((r) => ({ ...pendingRequestJson(r), checkCode: checkCodeOf(r) ?? null })) }));
        return;
      }
      if (requests.length === 0) {
        ctx.out(`no pending requests for ${session.record.Account}`);
        return;
      }
      const rows = requests.map((r) => [
        r.witness,
        checkCodeOf(r) ?? '-',
        r.deviceUdf ?? '?',
        r.pin,
        r.received ?? '?',
        r.problems.length === 0 ? (r.notes.length === 0 ? 'ok' : `ok; ${r.notes.join('; ')}`) : `REFUSED: ${r.problems.join('; ')}`,
      ]);
      for (const line of textTable(['WITNESS', 'CHECK', 'DEVICE', 'PIN', 'RECEIVED', 'STATUS'], rows)) ctx.out(line);
    },
  };
}

export const devicePending = makeDevicePending();
