/**
 * @module cli/commands/device-reject
 * `mesh device reject <witness-or-device-udf>`: answers a verified pending request with a
 * RespondConnection "Reject" (signed by the admin key, encrypted to the device), so the
 * device stops waiting, and records the answer in the local catalog. A request that does
 * not verify cannot be answered at all; it expires at the service.
 */
import { onePositional } from '../args.js';
import { terminalJson } from '../../mesh/encoding/terminal-text.js';
import type { Command } from '../command.js';
import { comparisonLines, rejectRequest, requireAcceptable } from '../owner/answer-request.js';
import { HOME_OPTION, homeDirectory, selectorArgument, insecureHttpOption } from '../owner/owner-args.js';
import {
  defaultOwnerEnvironment,
  openOwnerSession,
  serviceStep,
  type OwnerEnvironment,
} from '../owner/owner-session.js';
import { findPendingRequests, openPendingScan } from '../owner/pending-requests.js';
import { selectOne } from '../owner/select-request.js';

const ARGUMENT = '<witness-or-device-udf>';

export function makeDeviceReject(env: OwnerEnvironment = defaultOwnerEnvironment): Command {
  return {
    path: ['device', 'reject'],
    summary: 'Reject a pending connection request.',
    usage: `${ARGUMENT} [--home DIR] [--json]`,
    options: { ...HOME_OPTION },
    async run(args, ctx) {
      const selector = selectorArgument(onePositional(args, 'witness-or-device-udf'), ARGUMENT);
      const session = await openOwnerSession(homeDirectory(args, ctx.env), env, insecureHttpOption(args));
      const { service, requests } = await serviceStep(async () => {
        const scan = await openPendingScan(session);
        return { service: scan.service, requests: await findPendingRequests(scan, selector) };
      });
      const request = selectOne(requests, selector, ARGUMENT, 'pending request');
      requireAcceptable(request);
      for (const line of comparisonLines(request)) ctx.err(line);
      const result = await rejectRequest(session, service, request);
      ctx.out(
        args.values['json']
          ? terminalJson({ rejected: result })
          : `rejected ${result.deviceUdf} witness ${result.witness}`,
      );
    },
  };
}

export const deviceReject = makeDeviceReject();
