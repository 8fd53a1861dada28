/**
 * @module cli/agent/serial-provisioning
 * Wires the serial provisioning protocol into `mesh-agent run`: the agent runs
 * as a ProvisionedAgent (the configuration plus the technician's overlay, which applies
 * whether or not a provisioning port is configured now), and when `serial.provisioning`
 * names a port, a ProvisioningEndpoint listens on it. The confirmation codes that
 * approve-claim and factory-reset need are shown where a person at the device sees them:
 * the log/journal as a `SHOW confirmation-code` line (the serial console and LED show what
 * the Announcer carries; see the README of agent/provisioning).
 */
import { realpath } from 'node:fs/promises';
import type { AgentDeps } from '../../agent/agent.js';
import { ConfigError } from '../../agent/config/config-error.js';
import type { AgentSettings } from '../../agent/agent-runtime.js';
import { checkCode } from '../../agent/check-code.js';
import type { AgentConfig } from '../../agent/config/agent-config.js';
import type { Clock } from '../../crypto/clock.js';
import type { RandomSource } from '../../crypto/random.js';
import type { Logger } from '../../agent/ports.js';
import { ConfirmationChallenges, type ConfirmationDisplay } from '../../agent/provisioning/confirmation-challenges.js';
import { ProvisionedAgent } from '../../agent/provisioning/provisioned-agent.js';
import { ProvisioningHandler } from '../../agent/provisioning/provisioning-handler.js';
import { ProvisioningSession } from '../../agent/provisioning/provisioning-session.js';
import { COMMANDS, PROTOCOL_VERSION, type EventLine } from '../../agent/provisioning/protocol.js';
import { ProvisioningEndpoint } from '../../platform/serial/provisioning-endpoint.js';
import { FileOverlayStore } from '../../platform/serial/provisioning-overlay-file.js';

/**
 * Refuses a console and a provisioning port that are one device under two names (on a
 * Raspberry Pi `/dev/serial0` is a link to `/dev/ttyS0` or `/dev/ttyAMA0`): the validator
 * compares the names, this compares the devices. Both open their device exclusively, so the
 * second would retry "Cannot lock port" for ever. A name that does not resolve yet (a USB
 * gadget not plugged in) is left to the port's own retries.
 * @throws ConfigError naming both fields
 */
export async function refuseSharedSerialPort(config: AgentConfig, source?: string): Promise<void> {
  const { console: consoleDevice, provisioning } = config.serial;
  if (consoleDevice === undefined || provisioning === undefined) return;
  const resolved = async (path: string): Promise<string | undefined> => realpath(path).catch(() => undefined);
  const [a, b] = await Promise.all([resolved(consoleDevice), resolved(provisioning)]);
  if (a === undefined || a !== b) return;
  throw new ConfigError(
    [
      {
        path: '$.serial.provisioning',
        expected: 'a different device from "$.serial.console" (the console and provisioning cannot share one port)',
        actual: `${JSON.stringify(provisioning)}, which is ${JSON.stringify(a)} like the console's ${JSON.stringify(consoleDevice)}`,
        hint: 'give each its own port, or leave one out',
      },
    ],
    source,
  );
}

/** Starts the agent with the overlay of `<stateDirectory>/provisioning.json` applied. */
export function startProvisionedAgent(
  config: AgentConfig,
  deps: AgentDeps,
  settings: AgentSettings,
): Promise<ProvisionedAgent> {
  return ProvisionedAgent.start({ deps, settings, overlay: new FileOverlayStore(config.stateDirectory) });
}

/** A code goes to the log as a SHOW line: what a person at the device reads. */
export function logConfirmationDisplay(logger: Logger): ConfirmationDisplay {
  return {
    show(shown) {
      const seconds = Math.round((shown.expiresAt.getTime() - Date.now()) / 1000);
      logger.log(
        'warn',
        `SHOW confirmation-code ${shown.code} for ${shown.action} ${shown.target} (valid ${seconds} s, once)`,
        {
          event: 'confirmation-code',
          action: shown.action,
          target: shown.target,
        },
      );
    },
  };
}

/**
 * Listens on `serial.provisioning` when it is set; returns undefined otherwise. The port is
 * opened in the background (and reopened when it goes away): the agent starts either way.
 */
export function openSerialProvisioning(
  config: AgentConfig,
  agent: ProvisionedAgent,
  ports: {
    readonly clock: Clock;
    readonly random: RandomSource;
    readonly logger: Logger;
    readonly display?: ConfirmationDisplay;
  },
): ProvisioningEndpoint | undefined {
  const path = config.serial.provisioning;
  if (path === undefined) return undefined;
  const { clock, random, logger } = ports;
  const challenges = new ConfirmationChallenges(clock, random, ports.display ?? logConfirmationDisplay(logger));
  const handler = new ProvisioningHandler({
    device: agent,
    challenges,
    logger,
    checkCode: (witness) => {
      try {
        return checkCode(witness);
      } catch {
        return undefined;
      }
    },
  });
  const hello = (): EventLine => {
    const status = agent.status();
    return {
      v: PROTOCOL_VERSION,
      event: 'hello',
      protocol: PROTOCOL_VERSION,
      device: status.device.udf,
      agentVersion: status.version,
      commands: [...COMMANDS],
    };
  };
  const endpoint = new ProvisioningEndpoint({
    path,
    baudRate: config.serial.baudRate,
    logger,
    session: (write) =>
      new ProvisioningSession({ handle: (request) => handler.handle(request), write, hello, clock, logger }),
  });
  void endpoint.start();
  return endpoint;
}
