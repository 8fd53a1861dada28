/**
 * @module cli/commands/device-list
 * `mesh device list`: the owner's own device catalog (devices.json) — device UDF, status
 * (Connected, Revoked, Rejected), roles, the witness that was confirmed, when — beside the
 * service's catalog entry for each (Get Devices), so a service that lost or altered an entry
 * shows up. The local catalog is the authority (docs/decisions/0003-untrusted-service.md); an unreachable
 * service only leaves the service column empty.
 */
import type { DataItem } from '../../mesh/messages/data-item.js';
import { UsageError } from '../cli-errors.js';
import { terminalJson, terminalText } from '../../mesh/encoding/terminal-text.js';
import type { Command } from '../command.js';
import { HOME_OPTION, homeDirectory, insecureHttpOption } from '../owner/owner-args.js';
import { defaultOwnerEnvironment, openOwnerSession, type OwnerEnvironment } from '../owner/owner-session.js';
import { textTable } from '../owner/text-table.js';

export function makeDeviceList(env: OwnerEnvironment = defaultOwnerEnvironment): Command {
  return {
    path: ['device', 'list'],
    summary: "List the account's devices from the local catalog, with the service's status for each.",
    usage: '[--home DIR] [--json]',
    options: { ...HOME_OPTION },
    async run(args, ctx) {
      if (args.positionals.length > 0)
        throw new UsageError('unexpected argument (this command takes options only)', args.positionals[0]);
      const session = await openOwnerSession(homeDirectory(args, ctx.env), env, insecureHttpOption(args));
      const devices = (await session.home.readDevices()).Devices.filter((d) => d.Status !== 'Rejected');
      let serviceItems: readonly DataItem[] | undefined;
      let serviceError: string | undefined;
      try {
        serviceItems = (await session.client.get({ Account: session.record.Account, KeyValues: [{ Key: 'Devices' }] }))
          .DataItems;
      } catch (error) {
        serviceError = terminalText((error as Error).message, 400);
      }
      const serviceStatus = (udf: string): string | null => {
        if (serviceItems === undefined) return null;
        const item = serviceItems.find((i) => i.Key !== undefined && i.Key.toUpperCase() === udf.toUpperCase());
        return item?.Status ?? 'absent';
      };
      const rows = devices.map((d) => ({
        deviceUdf: d.DeviceUdf,
        status: d.Status,
        roles: d.Roles,
        witness: d.Witness,
        answered: d.Answered,
        ...(d.Revoked === undefined ? {} : { revoked: d.Revoked }),
        ...(d.Description === undefined ? {} : { description: d.Description }),
        ...(d.PinId === undefined ? {} : { pinId: d.PinId }),
        serviceStatus: serviceStatus(d.DeviceUdf),
      }));
      if (args.values['json']) {
        ctx.out(
          terminalJson({
            account: session.record.Account,
            devices: rows,
            serviceReachable: serviceItems !== undefined,
            ...(serviceError === undefined ? {} : { serviceError }),
          }),
        );
        return;
      }
      if (rows.length === 0) {
        ctx.out(`no devices connected to ${session.record.Account}`);
        return;
      }
      const table = textTable(
        ['DEVICE', 'STATUS', 'ROLES', 'WITNESS', 'SINCE', 'SERVICE', 'DESCRIPTION'],
        // The service's Status and the stored Description came from elsewhere: neutralised; the rest this CLI wrote.
        rows.map((r) => [
          r.deviceUdf,
          r.status,
          r.roles.join(',') || '-',
          r.witness,
          r.revoked ?? r.answered,
          r.serviceStatus === null ? 'unreachable' : terminalText(r.serviceStatus, 20),
          terminalText(r.description ?? '', 60),
        ]),
      );
      for (const line of table) ctx.out(line);
    },
  };
}

export const deviceList = makeDeviceList();
