/**
 * @module cli/commands/device-accept
 * `mesh device accept <witness-or-device-udf> [--roles r1,r2] [--auto-pin]`.
 *
 * The argument is the person's confirmation (docs/decisions/0003-untrusted-service.md): they read the witness
 * off the device and type it (at least 8 characters; a prefix matching several requests is
 * refused with the list). The request must verify (pending-requests.ts: signatures, witness
 * recomputed by the owner). Before the answer is sent the device fingerprint and witness are
 * written on standard error (and are in the --json result).
 *
 * `--auto-pin` accepts every request whose PIN the owner verified itself against the PINs it
 * registered (unexpired, not used by another device), with the PIN's roles unless --roles
 * is given; with an argument, only that request, and only if its PIN verified.
 */
import { UsageError } from '../cli-errors.js';
import { terminalJson } from '../../mesh/encoding/terminal-text.js';
import type { Command } from '../command.js';
import { acceptRequest, comparisonLines, requireAcceptable, type AcceptOutcome } from '../owner/answer-request.js';
import { HOME_OPTION, homeDirectory, rolesOption, selectorArgument, insecureHttpOption } from '../owner/owner-args.js';
import {
  defaultOwnerEnvironment,
  openOwnerSession,
  serviceStep,
  type OwnerEnvironment,
} from '../owner/owner-session.js';
import {
  findPendingRequests,
  listPendingRequests,
  openPendingScan,
  type PendingRequest,
} from '../owner/pending-requests.js';
import { selectOne } from '../owner/select-request.js';
import { CheckFailedError } from '../cli-errors.js';

const ARGUMENT = '<witness-or-device-udf>';

export function makeDeviceAccept(env: OwnerEnvironment = defaultOwnerEnvironment): Command {
  return {
    path: ['device', 'accept'],
    summary: 'Accept a device whose witness you compared (or, with --auto-pin, every request whose PIN verifies).',
    usage: `${ARGUMENT} [--roles r1,r2] | --auto-pin [${ARGUMENT}] [--home DIR] [--allow-insecure-http] [--json]`,
    options: { ...HOME_OPTION, roles: { type: 'string' }, 'auto-pin': { type: 'boolean' } },
    async run(args, ctx) {
      const autoPin = args.values['auto-pin'] === true;
      if (args.positionals.length > 1)
        throw new UsageError(`expected one argument, got ${args.positionals.length}`, ARGUMENT);
      const raw = args.positionals[0];
      if (raw === undefined && !autoPin) throw new UsageError('is required (or use --auto-pin)', ARGUMENT);
      const selector = raw === undefined ? undefined : selectorArgument(raw, ARGUMENT);
      const roles = rolesOption(args);

      const session = await openOwnerSession(homeDirectory(args, ctx.env), env, insecureHttpOption(args));
      // With a selector only the matching entries are verified, and the scan stops at a whole
      // witness (pending-requests.ts), so a long list of strangers' requests costs little here.
      const { service, requests } = await serviceStep(async () => {
        if (selector === undefined) return listPendingRequests(session);
        const scan = await openPendingScan(session);
        return { service: scan.service, requests: await findPendingRequests(scan, selector) };
      });

      let targets: PendingRequest[];
      if (selector !== undefined) {
        const one = selectOne(requests, selector, ARGUMENT, 'pending request');
        if (autoPin && one.pin !== 'verified') {
          throw new CheckFailedError(
            `request with witness ${one.witness} is not PIN-verified by this owner (PIN: ${one.pin})`,
          );
        }
        targets = [one];
      } else {
        targets = requests.filter((r) => r.pin === 'verified' && r.problems.length === 0);
      }

      const accepted: AcceptOutcome[] = [];
      const done: PendingRequest[] = [];
      // A PIN vouches for one device: two requests with the same PIN in one run get one accept.
      const pinsUsed = new Set<string>();
      for (const request of targets) {
        const pinId = request.localPin?.PinId;
        if (pinId !== undefined && pinsUsed.has(pinId)) continue;
        requireAcceptable(request);
        for (const line of comparisonLines(request)) ctx.err(line);
        accepted.push(await acceptRequest(session, service, request, roles ?? request.localPin?.Roles ?? []));
        done.push(request);
        if (pinId !== undefined) pinsUsed.add(pinId);
      }
      const skipped = autoPin && selector === undefined ? requests.filter((r) => !done.includes(r)) : [];

      if (args.values['json']) {
        ctx.out(
          terminalJson({
            accepted,
            ...(autoPin && selector === undefined
              ? {
                  skipped: skipped.map((r) => ({
                    witness: r.witness,
                    deviceUdf: r.deviceUdf ?? null,
                    pin:
                      r.pin !== 'verified' || r.localPin === undefined || !pinsUsed.has(r.localPin.PinId)
                        ? r.pin
                        : 'used',
                    problems: r.problems,
                  })),
                }
              : {}),
          }),
        );
        return;
      }
      if (accepted.length === 0) ctx.out(`no PIN-verified requests to accept (${skipped.length} other pending)`);
      for (const a of accepted) {
        ctx.out(
          `accepted ${a.deviceUdf} witness ${a.witness} roles ${a.roles.join(',') || '-'}${a.pinId === undefined ? '' : ' (PIN)'}`,
        );
      }
    },
  };
}

export const deviceAccept = makeDeviceAccept();
