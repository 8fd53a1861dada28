/**
 * @module mesh/objects
 * Every Mesh object schema and type used by device connection, and the tagged-payload codec.
 */
export * from './account-entry.js';
export * from './acknowledge-connection.js';
export * from './activation-account.js';
export * from './activation-device.js';
export * from './activation.js';
export * from './application-entry-mqtt.js';
export * from './assertion.js';
export * from './cataloged-device.js';
export * from './cataloged-entry.js';
export * from './cataloged-publication.js';
export * from './claim-approval.js';
export * from './connection-device.js';
export * from './connection-service.js';
export * from './connection.js';
export * from './device-preconfiguration.js';
export * from './key-data.js';
export * from './message-claim.js';
export * from './message-complete.js';
export * from './message-pin-validated.js';
export * from './message-pin.js';
export * from './message.js';
export * from './permission.js';
export * from './private-key-udf.js';
export * from './profile-account.js';
export * from './profile-device.js';
export * from './profile-service.js';
export * from './profile-user.js';
export * from './profile.js';
export * from './public-key-ecdh.js';
export * from './reference.js';
export * from './registry.js';
export * from './request-connection.js';
export * from './respond-connection.js';
