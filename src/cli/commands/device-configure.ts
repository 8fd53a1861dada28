/**
 * @module cli/commands/device-configure
 * `mesh device configure <device-udf> --mqtt-url URL [--mqtt-user U] [--mqtt-password P]
 * [--topic-prefix P]`: gives a connected device this owner's MQTT broker. The
 * entry (ApplicationEntryMqtt) is signed by the account's admin key and encrypted to the
 * device's combined Encryption key for this account, read from the owner's own catalog
 * (devices.json, admin-signed), and filed with ApplicationPublish; the service posts a notice
 * and the device applies it without a restart. `--remove` sends a signed removal instead.
 * The password may come from MESH_MQTT_PASSWORD instead of the command line (`ps` shows argv).
 */
import { onePositional, optionalString } from '../args.js';
import { UsageError } from '../cli-errors.js';
import { terminalJson } from '../../mesh/encoding/terminal-text.js';
import type { Command } from '../command.js';
import { createApplicationEntryMqtt } from '../../mesh/connect/application-entry-mqtt.js';
import { CatalogedDeviceSchema } from '../../mesh/objects/cataloged-device.js';
import { openSignedObject, signerOf, toEnvelope } from '../../mesh/profiles/signed-object.js';
import { HOME_OPTION, homeDirectory, selectorArgument, insecureHttpOption } from '../owner/owner-args.js';
import {
  defaultOwnerEnvironment,
  openOwnerSession,
  serviceStep,
  type OwnerEnvironment,
} from '../owner/owner-session.js';
import { selectOne } from '../owner/select-request.js';
import { CheckFailedError } from '../cli-errors.js';

const BROKER_SCHEMES = ['mqtt:', 'mqtts:', 'ws:', 'wss:'];
const TOPIC_PREFIX = /^[^/#+\u0000-\u001f\u007f]+(\/[^/#+\u0000-\u001f\u007f]+)*$/;

export function makeDeviceConfigure(env: OwnerEnvironment = defaultOwnerEnvironment): Command {
  return {
    path: ['device', 'configure'],
    summary:
      "Give a connected device this account's MQTT broker (signed, encrypted to the device; applied without a restart).",
    usage:
      '<device-udf> (--mqtt-url URL [--mqtt-user U] [--mqtt-password P] [--topic-prefix P] | --remove) [--home DIR] [--json]',
    options: {
      ...HOME_OPTION,
      'mqtt-url': { type: 'string' },
      'mqtt-user': { type: 'string' },
      'mqtt-password': { type: 'string' },
      'topic-prefix': { type: 'string' },
      remove: { type: 'boolean' },
    },
    async run(args, ctx) {
      const selector = selectorArgument(onePositional(args, 'device-udf'), '<device-udf>');
      const remove = args.values['remove'] === true;
      const url = optionalString(args, 'mqtt-url');
      const username = optionalString(args, 'mqtt-user');
      const password = optionalString(args, 'mqtt-password') ?? ctx.env['MESH_MQTT_PASSWORD'];
      const topicPrefix = optionalString(args, 'topic-prefix');
      if (remove && (url !== undefined || username !== undefined || topicPrefix !== undefined)) {
        throw new UsageError('takes no broker options', '--remove');
      }
      if (!remove) {
        if (url === undefined) throw new UsageError('is required (or --remove)', '--mqtt-url');
        let parsed: URL;
        try {
          parsed = new URL(url);
        } catch {
          throw new UsageError('expected a broker URL such as mqtts://broker.example.com:8883', '--mqtt-url');
        }
        if (!BROKER_SCHEMES.includes(parsed.protocol))
          throw new UsageError('expected an mqtt://, mqtts://, ws:// or wss:// URL', '--mqtt-url');
        if (parsed.username !== '' || parsed.password !== '')
          throw new UsageError('must not hold credentials: use --mqtt-user and --mqtt-password', '--mqtt-url');
        if (topicPrefix !== undefined && !TOPIC_PREFIX.test(topicPrefix))
          throw new UsageError('expected topic levels separated by "/", without "+" or "#"', '--topic-prefix');
      }
      const session = await openOwnerSession(homeDirectory(args, ctx.env), env, insecureHttpOption(args));
      const devices = (await session.home.readDevices()).Devices.filter((d) => d.Status === 'Connected');
      const device = selectOne(
        devices.map((d) => ({ deviceUdf: d.DeviceUdf, record: d })),
        selector,
        '<device-udf>',
        'connected device in the local catalog',
      ).record;
      if (device.EnvelopedCatalogedDevice === undefined) {
        throw new CheckFailedError(
          `${device.DeviceUdf} has no CatalogedDevice in the local catalog, so its key for this account is unknown`,
        );
      }
      // The owner's own record, signed by its admin key when it accepted the device.
      const catalogedDevice = openSignedObject(
        toEnvelope(device.EnvelopedCatalogedDevice, 'devices.json EnvelopedCatalogedDevice'),
        'CatalogedDevice',
        session.keys.administratorSignature,
        'devices.json EnvelopedCatalogedDevice',
        'AdministratorSignature key of the account',
      );
      const sealed = createApplicationEntryMqtt({
        accountProfile: session.profile,
        adminKey: signerOf(session.keys.administratorSignature),
        catalogedDevice: CatalogedDeviceSchema.parse(CatalogedDeviceSchema.toJson(catalogedDevice), 'CatalogedDevice'),
        ...(remove || url === undefined
          ? {}
          : {
              mqtt: {
                url,
                ...(username === undefined ? {} : { username }),
                ...(password === undefined ? {} : { password }),
                ...(topicPrefix === undefined ? {} : { topicPrefix }),
              },
            }),
        now: env.now(),
        random: env.random,
      });
      await serviceStep(() =>
        session.client.applicationPublish(
          { Account: session.record.Account, Device: device.DeviceUdf, EnvelopedApplicationEntry: sealed.json },
          session.signer,
        ),
      );
      const result = {
        deviceUdf: device.DeviceUdf,
        mqtt: remove ? 'removed' : 'configured',
        ...(url === undefined ? {} : { url }),
        ...(username === undefined ? {} : { username }),
        topicPrefix: topicPrefix ?? 'mesh/devices',
        created: sealed.entry.Created.toISOString(),
      };
      if (args.values['json']) ctx.out(terminalJson(result));
      else
        ctx.out(
          remove
            ? `removed the MQTT broker of ${device.DeviceUdf}`
            : `configured ${device.DeviceUdf}: MQTT broker ${url} (status under ${result.topicPrefix}/${device.DeviceUdf}/status)`,
        );
    },
  };
}

export const deviceConfigure = makeDeviceConfigure();
