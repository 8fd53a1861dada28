/**
 * @module mesh/objects/application-entry-mqtt
 * `ApplicationEntryMqtt {Account, DeviceUdf, Created, Url?, Username?, Password?, TopicPrefix?}`:
 * one owner's MQTT broker configuration for one of its devices. Not in the
 * drafts: the seed carries application configuration to devices (its abstract) but names no
 * structure for a message broker, so this implementation defines the smallest one. The owner
 * signs it with the account's AdministratorSignature key and encrypts it to the device's
 * combined Encryption key for that account (the ConnectionDevice the owner signed), so only
 * that device, and only through that connection, can read it; the service relays ciphertext.
 *
 * - `Created` orders entries: the device applies only an entry newer than the one it holds,
 *   so a relay cannot roll the device back to an older configuration.
 * - No `Url`: the owner removed the configuration (a signed removal, not a silent absence).
 */
import { dateTime, object, optional, required, string, type Infer } from '../schema/index.js';

export const ApplicationEntryMqttSchema = object('ApplicationEntryMqtt', {
  Account: required(string({ minLength: 1 })),
  DeviceUdf: required(string({ minLength: 1 })),
  Created: required(dateTime()),
  Url: optional(string({ minLength: 1 })),
  Username: optional(string()),
  Password: optional(string()),
  TopicPrefix: optional(string({ minLength: 1 })),
});
export type ApplicationEntryMqtt = Infer<typeof ApplicationEntryMqttSchema>;
