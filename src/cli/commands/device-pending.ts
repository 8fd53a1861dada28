/**
 * @module cli/commands/device-pending
 * `mesh device pending`: the connection requests waiting for the account, each verified by
 * the owner (pending-requests.ts): witness (recomputed), device fingerprint (ProfileDevice
 * UDF), the owner's own PIN check, when received, and whether it can be accepted; and the
 * witness's countable check code (agent/check-code), the digits the device's LED blinks.
 */
import { checkCode } from '../../agent/check-code.js';
import { terminalJson, terminalText } from '../../mesh/encoding/terminal-text.js';
import { UsageError } from '../cli-errors.js';
import type { Command } from '../command.js';
import { HOME_OPTION, homeDirectory, insecureHttpOption } from '../owner/owner-args.js';
import {
  defaultOwnerEnvironment,
  openOwnerSession,
  serviceStep,
  type OwnerEnvironment,
} from '../owner/owner-session.js';
import {
  assessedPending,
  openPendingScan,
  pendingRequestJson,
  type PendingRequest,
} from '../owner/pending-requests.js';
import { fixedWidthRow } from '../owner/text-table.js';

/** Only a witness the owner recomputed gets a check code: a claimed one proves nothing. */
function checkCodeOf(r: PendingRequest): string | undefined {
  return r.verified === undefined ? undefined : checkCode(r.witness);
}

const HEADER = ['WITNESS', 'CHECK', 'DEVICE', 'PIN', 'RECEIVED', 'STATUS'];
/** Widths of a recomputed witness, a check code, a device UDF, a PIN check and an RFC 3339 time: rows print as they are checked. */
const WIDTHS = [34, 8, 35, 8, 24];

export function makeDevicePending(env: OwnerEnvironment = defaultOwnerEnvironment): Command {
  return {
    path: ['device', 'pending'],
    summary: 'List connection requests: witness, check code, device fingerprint, PIN check, received, and any problem.',
    usage: '[--home DIR] [--allow-insecure-http] [--json]',
    options: { ...HOME_OPTION },
    async run(args, ctx) {
      if (args.positionals.length > 0)
        throw new UsageError('unexpected argument (this command takes options only)', args.positionals[0]);
      const session = await openOwnerSession(homeDirectory(args, ctx.env), env, insecureHttpOption(args));
      const json = args.values['json'] === true;
      const pending: Record<string, unknown>[] = [];
      let shown = 0;
      // Each page is verified and printed as it arrives, so a long list neither waits for the
      // whole of it nor holds every entry; --json keeps only the small per-request summary.
      await serviceStep(async () => {
        const scan = await openPendingScan(session);
        for await (const r of assessedPending(scan)) {
          if (json) {
            pending.push({ ...pendingRequestJson(r), checkCode: checkCodeOf(r) ?? null });
            continue;
          }
          if (shown === 0) ctx.out(fixedWidthRow(HEADER, WIDTHS));
          shown += 1;
          const status =
            r.problems.length === 0
              ? r.notes.length === 0
                ? 'ok'
                : `ok; ${r.notes.join('; ')}`
              : `REFUSED: ${r.problems.join('; ')}`;
          ctx.out(
            fixedWidthRow(
              [
                r.witness,
                checkCodeOf(r) ?? '-',
                r.deviceUdf ?? '?',
                r.pin,
                terminalText(r.received ?? '?', 40),
                terminalText(status, 400),
              ],
              WIDTHS,
            ),
          );
        }
      });
      if (json) {
        ctx.out(terminalJson({ account: session.record.Account, pending }));
        return;
      }
      if (shown === 0) ctx.out(`no pending requests for ${session.record.Account}`);
    },
  };
}

export const devicePending = makeDevicePending();
