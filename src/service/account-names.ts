/**
 * @module service/account-names
 * Account names as the service keys them, and which ones it hosts (docs/security.md
 * "Account names and hosted domains"). The normal form every entry point keys accounts by
 * (ASCII user@domain, lower-cased) is the wire contract's (mesh/messages/account-address);
 * what is policy stays here: reserved user parts and the domains this service hosts.
 */
/** The service keys accounts by this form; re-exported beside the policy that reads it. */
export { normalizeAccountAddress } from '../mesh/messages/account-address.js';

/**
 * Local parts a service never hands to a stranger: mailbox names RFC 2142 reserves, the
 * administrative names certificate authorities accept as proof of control of a domain
 * (CA/Browser Forum BR 3.2.2.4.4), and names people trust as the operator's own.
 */
export const RESERVED_LOCAL_PARTS: readonly string[] = Object.freeze([
  'abuse',
  'admin',
  'administrator',
  'hostmaster',
  'info',
  'mailer-daemon',
  'marketing',
  'noc',
  'no-reply',
  'noreply',
  'postmaster',
  'root',
  'sales',
  'security',
  'support',
  'sysadmin',
  'system',
  'webmaster',
  'www',
  'mesh',
  'service',
]);

/** The domain of a normalised account address. */
export function accountDomain(account: string): string {
  return account.slice(account.lastIndexOf('@') + 1);
}

/** Why `account`'s user part is reserved, or undefined. Compares the lower-cased user part. */
export function reservedNameProblem(account: string, reserved: readonly string[]): string | undefined {
  const user = account.slice(0, account.lastIndexOf('@')).toLowerCase();
  return reserved.includes(user) ? `the account name ${JSON.stringify(user)} is reserved` : undefined;
}

/**
 * Why `account` is not hosted here, or undefined when it is. `hosted` lists the domains
 * (lower case); an empty list hosts every domain.
 */
export function hostedDomainProblem(account: string, hosted: readonly string[]): string | undefined {
  if (hosted.length === 0) return undefined;
  const domain = accountDomain(account).toLowerCase();
  if (hosted.includes(domain)) return undefined;
  return `the account domain ${JSON.stringify(domain)} is not hosted here (this service hosts ${hosted.join(', ')})`;
}
