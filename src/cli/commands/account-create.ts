/**
 * @module cli/commands/account-create
 * `mesh account create <account> --service <url>`: a new account profile from a fresh
 * MeshProfileAccount seed (master = ProfileSignature, AdministratorSignature, encryption
 * keys; docs/mesh-compatibility.md §2.1), stored in the owner's home, then CreateAccount signed by the
 * admin key (docs/service-protocol.md: proof of possession).
 *
 * The seed is saved before the service is asked, so an account the service created is never
 * left without its keys; the profile stays marked unregistered until CreateAccount succeeds.
 * If the service refuses, the unregistered profile is discarded; if it cannot be reached,
 * running the same command again resumes with the same seed.
 */
import { checkAccountAddress } from '../../mesh/connect/connect-uri.js';
import { accountKeyPairs, createProfileAccount } from '../../mesh/profiles/profile-account.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../mesh/udf/derived-key-seed.js';
import { ProtocolError, ServiceFaultError } from '../../platform/http/http-errors.js';
import { serviceEndpoint } from '../../platform/http/service-endpoint.js';
import { forArgument, onePositional, requireString } from '../args.js';
import { CheckFailedError, UsageError } from '../cli-errors.js';
import { terminalJson, terminalText } from '../../mesh/encoding/terminal-text.js';
import type { Command } from '../command.js';
import { HomeExistsError } from '../owner/home-errors.js';
import { PROFILE_FORMAT, SECRETS_FORMAT, type OwnerProfileRecord } from '../owner/home-records.js';
import { HOME_OPTION, homeDirectory, insecureHttpOption } from '../owner/owner-args.js';
import { OwnerHome } from '../owner/owner-home.js';
import {
  defaultOwnerEnvironment,
  helloService,
  isServiceError,
  ownerClient,
  serviceStep,
  type OwnerEnvironment,
} from '../owner/owner-session.js';
import { meshAuthorizationSigner } from '../owner/request-signer.js';

export function makeAccountCreate(env: OwnerEnvironment = defaultOwnerEnvironment): Command {
  return {
    path: ['account', 'create'],
    summary:
      'Create an account profile (fresh seed, admin and encryption keys) in the owner home and register it with the service.',
    usage: '<user@domain> --service <url> [--allow-insecure-http] [--home DIR] [--json]',
    options: { ...HOME_OPTION, service: { type: 'string' } },
    async run(args, ctx) {
      const account = forArgument('<account>', () => checkAccountAddress(onePositional(args, 'account'), 'account'));
      const service = forArgument('--service', () => serviceEndpoint(requireString(args, 'service')));
      const directory = homeDirectory(args, ctx.env);
      // The transport policy is applied here, before the home or a seed is made.
      const client = forArgument('--service', () => ownerClient(service, env, insecureHttpOption(args)));
      const home = await OwnerHome.create(directory);

      // Resume an unregistered profile for the same account and service, else start afresh.
      let record: OwnerProfileRecord | undefined;
      let resumed = false;
      if (await home.exists('profile.json')) {
        const existing = await home.readProfile();
        if (existing.Registered || existing.Account !== account || existing.Service !== service) {
          throw new HomeExistsError(
            `${home.directory} already holds the ${existing.Registered ? '' : 'unregistered '}profile of ${existing.Account} at ${existing.Service}; use another --home`,
            { context: { directory: home.directory } },
          );
        }
        record = existing;
        resumed = true;
      }

      const serviceProfile = await serviceStep(() => helloService(client));
      if (!resumed) {
        const validation = await serviceStep(() => client.validate({ Account: account }));
        if (!validation.Valid) {
          throw new UsageError(
            `the service does not accept this account name${validation.Reason ? `: ${terminalText(validation.Reason, 200)}` : ''}`,
            '<account>',
          );
        }
      }

      let seed: string;
      if (record === undefined) {
        seed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileAccount, env.random);
        const created = createProfileAccount(seed, {
          accountAddress: account,
          ...(serviceProfile === undefined ? {} : { serviceUdf: serviceProfile.udf }),
        });
        record = {
          Format: PROFILE_FORMAT,
          Account: account,
          Service: service,
          ProfileUdf: created.udf,
          Created: env.now().toISOString(),
          Registered: false,
          EnvelopedProfileAccount: created.json,
        };
        await home.writeNewProfile(record, { Format: SECRETS_FORMAT, AccountSeed: seed });
      } else {
        seed = (await home.readSecrets()).AccountSeed;
      }

      const keys = accountKeyPairs(seed);
      const signer = meshAuthorizationSigner({
        account,
        key: keys.administratorSignature,
        now: env.now,
        random: env.random,
      });
      try {
        await client.createAccount(
          { Account: account, EnvelopedProfileAccount: record.EnvelopedProfileAccount },
          signer,
        );
      } catch (error) {
        // A definite refusal (4xx) means no account exists for this seed: forget it. Anything
        // else (unreachable, timeout, 5xx) may have created it: keep the seed to retry with.
        const definite = error instanceof ProtocolError && !(error instanceof ServiceFaultError);
        if (definite) await home.discardUnregisteredProfile();
        if (isServiceError(error)) {
          const note = definite
            ? ''
            : `; the new profile is kept in ${home.directory}: run the same command again to retry`;
          throw new CheckFailedError(`${error.message}${note}`, { cause: error });
        }
        throw error;
      }
      record = { ...record, Registered: true };
      await home.writeProfile(record);

      const result = {
        account,
        profileUdf: record.ProfileUdf,
        service,
        ...(serviceProfile === undefined ? {} : { serviceUdf: serviceProfile.udf }),
        home: home.directory,
        resumed,
      };
      ctx.out(
        args.values['json']
          ? terminalJson(result)
          : `created ${account} profile ${record.ProfileUdf} at ${service}${resumed ? ' (resumed)' : ''} (home ${home.directory})`,
      );
    },
  };
}

export const accountCreate = makeAccountCreate();
