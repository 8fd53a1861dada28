/**
 * @module agent/provisioning/provisioning-handler
 * One request → one reply (README.md beside this file). The handler checks each command's
 * args, runs it against the ProvisioningDevice, and shapes the result. What it never
 * sends: key material (the device holds its seeds in the keystore and nothing here reads
 * them), a PIN, or a confirmation code. Held claims are listed with whether they can be
 * confirmed, not with their codes; approve-claim and factory-reset need the fresh code the
 * device shows on its console (confirmation-challenges).
 */
import { MeshError } from '../../crypto/errors.js';
import { accountAddress, accountDomain, ownerPin, serviceUrl } from '../config/config-values.js';
import { ConfigReader } from '../config/config-reader.js';
import { ConfigError } from '../config/config-error.js';
import type { AgentStatus } from '../agent-status.js';
import type { Logger } from '../ports.js';
import { COMMAND_USAGE } from './command-words.js';
import type { ConfirmationChallenges } from './confirmation-challenges.js';
import type { ProvisioningDevice } from './provisioning-device.js';
import { PROVISIONING_ERRORS } from './provisioning-errors.js';
import {
  COMMANDS,
  PROTOCOL_VERSION,
  ProvisioningCommandError,
  errorReply,
  okReply,
  type CommandName,
  type ProvisioningRequest,
  type Reply,
} from './protocol.js';
import type { JsonObject, JsonValue } from '../../mesh/encoding/json-value.js';

export interface HandlerOptions {
  readonly device: ProvisioningDevice;
  readonly challenges: ConfirmationChallenges;
  readonly logger: Logger;
  /** The countable check code of a witness, as the LED blinks it, when there is one. */
  readonly checkCode?: (witness: string) => string | undefined;
}

/** Removes undefined members so the object is JSON as sent. */
function json(value: Record<string, unknown>): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

const ARGS: Readonly<Record<CommandName, readonly string[]>> = {
  ping: [],
  info: [],
  status: [],
  claims: [],
  help: [],
  connect: ['account', 'pin', 'service'],
  'approve-claim': ['claimant', 'code'],
  unpair: ['account'],
  'set-service': ['target', 'service'],
  'factory-reset': ['code'],
};

export class ProvisioningHandler {
  readonly #options: HandlerOptions;

  constructor(options: HandlerOptions) {
    this.#options = options;
  }

  async handle(request: ProvisioningRequest): Promise<Reply> {
    const command = request.cmd as CommandName;
    try {
      const reader = new ConfigReader('request');
      // Unknown argument names are refused with a did-you-mean, like the configuration's.
      reader.object('$.args', request.args, ARGS[command]);
      reader.throwIfFailed();
      const result = await this.#run(command, request.args, reader);
      return okReply(request.id, result);
    } catch (error) {
      if (error instanceof ProvisioningCommandError) {
        return errorReply(request.id, error.replyCode, error.message, error.details);
      }
      if (error instanceof ConfigError) {
        return errorReply(
          request.id,
          'bad-args',
          error.message.replace(/^configuration request: /, '').replace(/\s*\n\s*/g, ' '),
          { field: error.path },
        );
      }
      const message =
        error instanceof MeshError ? `${error.name}: ${error.message}` : 'the device failed to run the command';
      this.#options.logger.log(
        'error',
        `serial: ${command} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
        { command },
      );
      return errorReply(request.id, 'internal', message.replace(/\s*\n\s*/g, ' ').slice(0, 300));
    }
  }

  async #run(command: CommandName, args: JsonObject, reader: ConfigReader): Promise<JsonObject> {
    const device = this.#options.device;
    switch (command) {
      case 'ping':
        return { pong: true };
      case 'help':
        return {
          commands: COMMANDS.map((c) => ({ usage: COMMAND_USAGE[c].words, summary: COMMAND_USAGE[c].summary })),
        };
      case 'info':
        return this.#info(device.status());
      case 'status':
        return this.#status(device.status());
      case 'claims':
        return { held: this.#held(device.status()) };
      case 'connect': {
        const account = checked(reader, accountAddress(reader, '$.args.account', args['account']));
        const service =
          args['service'] === undefined
            ? `https://${accountDomain(account)}/`
            : checked(reader, serviceUrl(reader, '$.args.service', args['service']));
        const pin =
          args['pin'] === undefined ? undefined : checked(reader, ownerPin(reader, '$.args.pin', args['pin'], account));
        const owner = await device.connect({ account, service, ...(pin === undefined ? {} : { pin }) });
        this.#options.logger.log('info', `serial: ${account} added as an owner; connecting`, {
          account,
          service,
          pin: pin !== undefined,
        });
        return json({ owner: { ...owner }, pin: pin !== undefined });
      }
      case 'unpair': {
        const account = checked(reader, accountAddress(reader, '$.args.account', args['account']));
        const done = await device.unpair(account);
        this.#options.logger.log('info', `serial: ${done.account} unpaired (was ${done.previousState})`, {
          account: done.account,
        });
        return json({ ...done, unpaired: true });
      }
      case 'set-service': {
        const target = checked(reader, reader.string('$.args.target', args['target'], 'an owner account or "maker"'));
        const service = checked(reader, serviceUrl(reader, '$.args.service', args['service']));
        if (target.toLowerCase() === 'maker') {
          await device.setService({ kind: 'maker' }, service);
          this.#options.logger.log('info', `serial: the maker's service is now ${service}`, { service });
          return { target: 'maker', service };
        }
        const account = checked(reader, accountAddress(reader, '$.args.target', target));
        await device.setService({ kind: 'owner', account }, service);
        this.#options.logger.log('info', `serial: ${account}'s service is now ${service}`, { account, service });
        return { target: account, service };
      }
      case 'approve-claim':
        return this.#approveClaim(args, reader);
      case 'factory-reset':
        return this.#factoryReset(args, reader);
    }
  }

  #info(status: AgentStatus): JsonObject {
    return json({
      device: status.device.udf,
      mode: status.device.mode,
      connectUri: status.device.connectUri,
      makerAccount: status.device.makerAccount,
      agentVersion: status.version,
      protocol: PROTOCOL_VERSION,
      keystore: status.keystore.tier,
      identityOnReset: this.#options.device.identityOnReset(),
    });
  }

  #held(status: AgentStatus): JsonValue[] {
    // The codes stay on the device: only whether a claim can be confirmed crosses the line.
    return (status.claims?.held ?? []).map((h) => ({
      claimant: h.claimant,
      policy: h.policy,
      received: h.received,
      confirmable: h.code !== undefined,
    }));
  }

  #status(status: AgentStatus): JsonObject {
    const check = this.#options.checkCode;
    return json({
      device: status.device.udf,
      mode: status.device.mode,
      running: status.running,
      keystore: status.keystore.tier,
      owners: status.owners.map((o) => ({
        account: o.account,
        state: o.state,
        origin: o.origin,
        service: o.service,
        since: o.since,
        witness: o.witness,
        checkCode: o.witness === undefined || check === undefined ? undefined : check(o.witness),
        connectedAt: o.connectedAt,
        roles: o.roles,
        lastError: o.lastError,
      })),
      claims:
        status.claims === undefined
          ? undefined
          : {
              maker: status.claims.maker,
              service: status.claims.service,
              additionalClaims: status.claims.additionalClaims,
              held: this.#held(status),
              lastPoll: status.claims.lastPoll,
              lastError: status.claims.lastError,
            },
    });
  }

  async #approveClaim(args: JsonObject, reader: ConfigReader): Promise<JsonObject> {
    const held = this.#options.device.status().claims?.held ?? [];
    let claimant: string;
    if (args['claimant'] === undefined) {
      if (held.length === 0) throw PROVISIONING_ERRORS.noSuchClaim('no claim is held (see claims)');
      if (held.length > 1)
        throw PROVISIONING_ERRORS.badArgs(
          `${held.length} claims are held; name the claimant (see claims)`,
          '$.args.claimant',
        );
      claimant = (held[0] as { claimant: string }).claimant;
    } else {
      claimant = checked(reader, accountAddress(reader, '$.args.claimant', args['claimant']));
    }
    const claim = held.find((h) => h.claimant.toLowerCase() === claimant.toLowerCase());
    if (claim === undefined) throw PROVISIONING_ERRORS.noSuchClaim(`no claim by ${claimant} is held (see claims)`);
    if (claim.code === undefined) throw PROVISIONING_ERRORS.notConfirmable(claim.claimant);
    const target = claim.claimant.toLowerCase();
    if (args['code'] === undefined) return this.#challenge('approve-claim', target, { claimant: claim.claimant });
    const code = checked(reader, reader.string('$.args.code', args['code'], 'the code the device shows', true));
    this.#options.challenges.redeem('approve-claim', target, code);
    await this.#options.device.approveClaim(claim.claimant);
    this.#options.logger.log(
      'info',
      `serial: the claim by ${claim.claimant} was confirmed with the code shown on the device`,
      { claimant: claim.claimant },
    );
    return { claimant: claim.claimant, approved: true };
  }

  async #factoryReset(args: JsonObject, reader: ConfigReader): Promise<JsonObject> {
    const device = this.#options.device;
    const target = device.status().device.udf;
    if (args['code'] === undefined)
      return this.#challenge('factory-reset', target, { identity: device.identityOnReset() });
    const code = checked(reader, reader.string('$.args.code', args['code'], 'the code the device shows', true));
    this.#options.challenges.redeem('factory-reset', target, code);
    this.#options.logger.log('warn', 'serial: factory reset confirmed with the code shown on the device', {
      identity: device.identityOnReset(),
    });
    const done = await device.factoryReset();
    this.#options.challenges.clear();
    return { reset: true, ...done };
  }

  /** Shows a fresh code on the device and tells the technician to send it back. */
  #challenge(action: 'approve-claim' | 'factory-reset', target: string, details: JsonObject): never {
    const { expiresInSeconds } = this.#options.challenges.issue(action, target);
    throw new ProvisioningCommandError(
      'confirmation-required',
      `${action} needs the code the device now shows on its console; send ${action} again with it within ${expiresInSeconds} s`,
      { ...details, expiresInSeconds },
    );
  }
}

/** A value the reader accepted; if it recorded a problem, that problem is thrown. */
function checked<T>(reader: ConfigReader, value: T | undefined): T {
  reader.throwIfFailed();
  if (value === undefined) throw PROVISIONING_ERRORS.badArgs('a required argument is missing', '$.args');
  return value;
}
