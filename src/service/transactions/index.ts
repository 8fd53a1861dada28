/**
 * @module service/transactions
 * Every transaction the service answers (docs/service-protocol.md "Transactions").
 */
import type { Transaction } from '../transaction.js';
import { applicationGet } from './application-get.js';
import { applicationPublish } from './application-publish.js';
import { claim } from './claim.js';
import { connectComplete } from './connect-complete.js';
import { connectPending } from './connect-pending.js';
import { connectStart } from './connect-start.js';
import { connectStatus } from './connect-status.js';
import { createAccount } from './create-account.js';
import { deleteAccount } from './delete-account.js';
import { get } from './get.js';
import { hello } from './hello.js';
import { pinRegister } from './pin-register.js';
import { pollClaim } from './poll-claim.js';
import { publish } from './publish.js';
import { status } from './status.js';
import { transfer } from './transfer.js';
import { validateAccount } from './validate-account.js';

export const TRANSACTIONS: readonly Transaction[] = [
  hello,
  validateAccount,
  createAccount,
  deleteAccount,
  get,
  publish,
  status,
  connectStart,
  connectStatus,
  connectPending,
  connectComplete,
  pinRegister,
  transfer,
  claim,
  pollClaim,
  applicationPublish,
  applicationGet,
];
