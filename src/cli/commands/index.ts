/**
 * @module cli/commands
 * The registry of `mesh` sub-commands, in help order.
 */
import type { Command } from '../command.js';
import { accountCreate } from './account-create.js';
import { accountPin } from './account-pin.js';
import { accountStatus } from './account-status.js';
import { dareDecrypt } from './dare-decrypt.js';
import { dareVerify } from './dare-verify.js';
import { deviceAccept } from './device-accept.js';
import { deviceConfigure } from './device-configure.js';
import { deviceApproveClaim } from './device-approve-claim.js';
import { deviceList } from './device-list.js';
import { devicePending } from './device-pending.js';
import { deviceReject } from './device-reject.js';
import { deviceRevoke } from './device-revoke.js';
import { deviceClaim } from './device-claim.js';
import { consoleCommand } from './console.js';
import { factoryBatch } from './factory-batch.js';
import { factoryLabel } from './factory-label.js';
import { factoryPreconfig } from './factory-preconfig.js';
import { keyCombine } from './key-combine.js';
import { keyDerive } from './key-derive.js';
import { preconfigDerive } from './preconfig-derive.js';
import { serial } from './serial.js';
import { serviceStart } from './service-start.js';
import { udfAuthenticator } from './udf-authenticator.js';
import { udfDigest } from './udf-digest.js';
import { udfKey } from './udf-key.js';

export const commands: readonly Command[] = [
  udfDigest,
  udfAuthenticator,
  udfKey,
  keyDerive,
  keyCombine,
  preconfigDerive,
  dareVerify,
  dareDecrypt,
  serviceStart,
  accountCreate,
  accountStatus,
  accountPin,
  devicePending,
  deviceAccept,
  deviceReject,
  deviceList,
  deviceRevoke,
  deviceConfigure,
  deviceApproveClaim,
  deviceClaim,
  consoleCommand,
  factoryPreconfig,
  factoryLabel,
  factoryBatch,
  serial,
];
