/**
 * @module cli/commands/account-status
 * `mesh account status`: the account, its profile UDF, the service, the local device
 * catalog's counts and whether the service answers (Hello, and that it still presents the
 * service profile the account names). An unreachable service is reported, not an error:
 * this is the command to run when something seems wrong.
 */
import { terminalJson, terminalText } from '../../mesh/encoding/terminal-text.js';
import type { Command } from '../command.js';
import { HOME_OPTION, homeDirectory, insecureHttpOption } from '../owner/owner-args.js';
import {
  defaultOwnerEnvironment,
  helloService,
  openOwnerSession,
  type OwnerEnvironment,
} from '../owner/owner-session.js';

export function makeAccountStatus(env: OwnerEnvironment = defaultOwnerEnvironment): Command {
  return {
    path: ['account', 'status'],
    summary: 'Show the account, profile UDF, service, device counts and whether the service is reachable.',
    usage: '[--home DIR] [--json]',
    options: { ...HOME_OPTION },
    async run(args, ctx) {
      const session = await openOwnerSession(homeDirectory(args, ctx.env), env, insecureHttpOption(args));
      const { record } = session;
      const devices = (await session.home.readDevices()).Devices;
      const now = env.now().getTime();
      const pins = (await session.home.readPins()).Pins.filter(
        (p) => p.UsedBy === undefined && Date.parse(p.Expires) > now,
      );
      const count = (status: string) => devices.filter((d) => d.Status === status).length;
      let reachable = false;
      let serviceError: string | undefined;
      try {
        await helloService(session.client, session.profile.profile.ServiceUdf);
        reachable = true;
      } catch (error) {
        serviceError = (error as Error).message;
      }
      const result = {
        account: record.Account,
        profileUdf: record.ProfileUdf,
        service: record.Service,
        ...(session.profile.profile.ServiceUdf === undefined ? {} : { serviceUdf: session.profile.profile.ServiceUdf }),
        registered: record.Registered,
        home: session.home.directory,
        devices: { connected: count('Connected'), revoked: count('Revoked'), rejected: count('Rejected') },
        activePins: pins.length,
        reachable,
        ...(serviceError === undefined ? {} : { serviceError }),
      };
      if (args.values['json']) {
        ctx.out(terminalJson(result));
        return;
      }
      ctx.out(
        `${record.Account} profile ${record.ProfileUdf} service ${record.Service}${record.Registered ? '' : ' (not registered)'} ` +
          `devices ${result.devices.connected} connected, ${result.devices.revoked} revoked; ` +
          `${reachable ? 'reachable' : `unreachable (${terminalText(serviceError ?? '', 400)})`}`,
      );
    },
  };
}

export const accountStatus = makeAccountStatus();
