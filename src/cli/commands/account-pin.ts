/**
 * @module cli/commands/account-pin
 * `mesh account pin [--expires 1h] [--roles r1,r2] [--automatic]`: a fresh PIN, its
 * MessagePin signed by the admin key and registered with the service (PinRegister), and the
 * PIN and its mcu:// URI printed for the person to give to the device (docs/mesh-compatibility.md §6.2
 * (a) 1). The owner keeps the PinId and SaltedPin (0600, pins.json) so it can check a
 * request's PinWitness itself before `device accept --auto-pin` acts on it.
 */
import { connectUri } from '../../mesh/connect/connect-uri.js';
import { createMessagePin } from '../../mesh/connect/message-pin.js';
import { newPin } from '../../mesh/connect/pin.js';
import { signerOf } from '../../mesh/profiles/signed-object.js';
import { UsageError } from '../cli-errors.js';
import { terminalJson } from '../../mesh/encoding/terminal-text.js';
import type { Command } from '../command.js';
import { HOME_OPTION, durationOption, homeDirectory, rolesOption, insecureHttpOption } from '../owner/owner-args.js';
import {
  defaultOwnerEnvironment,
  openOwnerSession,
  serviceStep,
  type OwnerEnvironment,
} from '../owner/owner-session.js';

export const DEFAULT_PIN_EXPIRY_SECONDS = 3600;

export function makeAccountPin(env: OwnerEnvironment = defaultOwnerEnvironment): Command {
  return {
    path: ['account', 'pin'],
    summary: 'Register a PIN for connecting a device and print the PIN and its mcu:// URI.',
    usage: '[--expires 1h] [--roles r1,r2] [--automatic] [--home DIR] [--json]',
    options: { ...HOME_OPTION, expires: { type: 'string' }, roles: { type: 'string' }, automatic: { type: 'boolean' } },
    async run(args, ctx) {
      if (args.positionals.length > 0)
        throw new UsageError('unexpected argument (this command takes options only)', args.positionals[0]);
      const seconds = durationOption(args, 'expires', DEFAULT_PIN_EXPIRY_SECONDS);
      const roles = rolesOption(args);
      const automatic = args.values['automatic'] === true;
      const session = await openOwnerSession(homeDirectory(args, ctx.env), env, insecureHttpOption(args));
      const account = session.record.Account;
      const now = env.now();
      // Whole seconds: the RFC 3339 form on the wire carries no fractions.
      const expires = new Date(Math.floor(now.getTime() / 1000) * 1000 + seconds * 1000);
      const pin = newPin(env.random);
      const created = createMessagePin({
        pin,
        accountAddress: account,
        adminKey: signerOf(session.keys.administratorSignature),
        expires,
        ...(automatic ? { automatic } : {}),
        ...(roles === undefined ? {} : { roles }),
      });
      await serviceStep(() =>
        session.client.pinRegister({ AccountAddress: account, EnvelopedMessagePin: created.json }, session.signer),
      );
      await session.home.updatePins((current) => ({
        ...current,
        // Expired PINs are dropped as new ones are added, so the file stays small.
        Pins: [
          ...current.Pins.filter((p) => Date.parse(p.Expires) > now.getTime() - 86_400_000),
          {
            PinId: created.messageId,
            SaltedPin: created.saltedPin,
            Expires: expires.toISOString(),
            Roles: roles ?? [],
            Automatic: automatic,
            Created: now.toISOString(),
          },
        ],
      }));
      const uri = connectUri(account, pin);
      const result = {
        pin,
        uri,
        pinId: created.messageId,
        expires: expires.toISOString(),
        roles: roles ?? [],
        automatic,
      };
      ctx.out(args.values['json'] ? terminalJson(result) : `${pin} ${uri} expires ${result.expires}`);
    },
  };
}

export const accountPin = makeAccountPin();
