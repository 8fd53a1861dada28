/**
 * @module cli/commands/device-revoke
 * `mesh device revoke <device-udf>`: Publish {RevokeDevice} signed by the admin key
 * (docs/service-protocol.md "Device catalog and revocation"), then the local catalog entry
 * is marked Revoked. Only this account's connection of the device is revoked; other owners'
 * connections of the same device are theirs.
 */
import { onePositional } from '../args.js';
import { terminalJson } from '../../mesh/encoding/terminal-text.js';
import type { Command } from '../command.js';
import { HOME_OPTION, homeDirectory, selectorArgument, insecureHttpOption } from '../owner/owner-args.js';
import {
  defaultOwnerEnvironment,
  openOwnerSession,
  serviceStep,
  type OwnerEnvironment,
} from '../owner/owner-session.js';
import { selectOne } from '../owner/select-request.js';

export function makeDeviceRevoke(env: OwnerEnvironment = defaultOwnerEnvironment): Command {
  return {
    path: ['device', 'revoke'],
    summary: "Revoke a connected device's access to the account (at the service and in the local catalog).",
    usage: '<device-udf> [--home DIR] [--json]',
    options: { ...HOME_OPTION },
    async run(args, ctx) {
      const selector = selectorArgument(onePositional(args, 'device-udf'), '<device-udf>');
      const session = await openOwnerSession(homeDirectory(args, ctx.env), env, insecureHttpOption(args));
      const devices = (await session.home.readDevices()).Devices.filter((d) => d.Status !== 'Rejected');
      const device = selectOne(
        devices.map((d) => ({ deviceUdf: d.DeviceUdf, record: d })),
        selector,
        '<device-udf>',
        'device in the local catalog',
      ).record;
      if (device.Status === 'Revoked') {
        // Sent again anyway: it is idempotent, and repairs a service that lost the revocation.
        ctx.err(
          `mesh device revoke: ${device.DeviceUdf} was already revoked at ${device.Revoked ?? '?'}; publishing again`,
        );
      }
      await serviceStep(() =>
        session.client.publish({ Account: session.record.Account, RevokeDevice: device.DeviceUdf }, session.signer),
      );
      const revoked = device.Revoked ?? env.now().toISOString();
      await session.home.updateDevices((current) => ({
        ...current,
        Devices: current.Devices.map((d) =>
          d.DeviceUdf === device.DeviceUdf && d.Status !== 'Rejected'
            ? { ...d, Status: 'Revoked' as const, Revoked: revoked }
            : d,
        ),
      }));
      if (args.values['json']) ctx.out(terminalJson({ deviceUdf: device.DeviceUdf, status: 'Revoked', revoked }));
      else ctx.out(`revoked ${device.DeviceUdf}`);
    },
  };
}

export const deviceRevoke = makeDeviceRevoke();
