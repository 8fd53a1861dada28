/**
 * @module service/transactions
 * Every transaction the service answers (docs/service-protocol.md "Transactions").
 */
import type { Transaction } from '../transaction.js';
import { createAccount } from './create-account.js';
import { deleteAccount } from './delete-account.js';
import { get } from './get.js';
import { hello } from './hello.js';
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
  transfer,
];
