/**
 * @module cli/agent/run-command
 * `mesh-agent run --config <file>`: the composition root of the long-running agent. It
 * builds the adapters the configuration asks for (keystore tier, state files, HTTP, the
 * log), takes the state directory's lock, starts the Agent (first boot and
 * re-derivation) and runs it until SIGTERM/SIGINT, then saves the state, marks the status
 * stopped and exits 0. Logs are lines on standard output (journald).
 */
import type { AgentConfig } from '../../agent/config/agent-config.js';
import type { AgentSettings } from '../../agent/agent-runtime.js';
import type { ConfirmationDisplay } from '../../agent/provisioning/confirmation-challenges.js';
import type { SecretStore } from '../../agent/secret-store.js';
import { systemRandom } from '../../crypto/random.js';
import { systemClock } from '../../crypto/clock.js';
import { openSecretStore } from '../../platform/keystore/open-secret-store.js';
import { LineLogger } from '../../platform/log/line-logger.js';
import { AgentLock } from '../../platform/state/agent-lock.js';
import { ConfirmationDirectory } from '../../platform/state/confirmation-directory.js';
import { FileStateStore } from '../../platform/state/file-state-store.js';
import { DiskPreconfigurationFile } from '../../platform/state/preconfiguration-file.js';
import type { ProvisioningEndpoint } from '../../platform/serial/provisioning-endpoint.js';
import type { AgentCliContext } from './agent-context.js';
import { openDeviceDisplays, type DeviceDisplays } from './device-displays.js';
import { AGENT_VERSION, EXIT_OK } from './exit-codes.js';
import { HttpMeshTransport } from './http-transport.js';
import { MqttJsConnector } from '../../platform/mqtt/mqtt-connector.js';
import {
  logConfirmationDisplay,
  openSerialProvisioning,
  refuseSharedSerialPort,
  startProvisionedAgent,
} from './serial-provisioning.js';

export function agentSettings(config: AgentConfig): AgentSettings {
  return {
    owners: config.owners.map((o) => ({
      account: o.account,
      service: o.service,
      ...(o.pin === undefined ? {} : { pin: o.pin }),
    })),
    ...(config.claims === undefined ? {} : { claims: config.claims }),
    polling: {
      initialDelayMs: config.polling.initialDelayMs,
      maxDelayMs: config.polling.maxDelayMs,
      factor: config.polling.factor,
      jitter: config.polling.jitter,
      honorRetryAfter: config.polling.honorRetryAfter,
    },
    version: AGENT_VERSION,
    pid: process.pid,
    ...(config.mqtt === undefined ? {} : { push: config.mqtt.push }),
  };
}

export async function runAgent(config: AgentConfig, ctx: AgentCliContext): Promise<number> {
  const logger = new LineLogger({ level: config.logging.level, format: config.logging.format, write: ctx.out });
  await refuseSharedSerialPort(config);
  const stateStore = await FileStateStore.open({ stateDirectory: config.stateDirectory });
  const lock = await AgentLock.acquire(config.stateDirectory);
  let secrets: SecretStore | undefined;
  let displays: DeviceDisplays | undefined;
  let provisioning: ProvisioningEndpoint | undefined;
  try {
    // Status LED and serial console: they follow every saved status.
    displays = await openDeviceDisplays(config, logger, stateStore, ctx.ports?.led);
    secrets =
      ctx.ports?.secrets === undefined
        ? await openSecretStore({
            choice: config.keystore.type,
            stateDir: config.stateDirectory,
            tcti: config.keystore.tpm.tcti,
            dbusAddress: config.keystore.secretService.address,
            env: ctx.env,
            log: (line) => logger.log('info', line),
          })
        : await ctx.ports.secrets();
    logger.log('info', `mesh-agent ${AGENT_VERSION} starting`, {
      keystore: secrets.tier,
      state: config.stateDirectory,
      pid: process.pid,
      startup: ctx.startup ?? 'bundle',
    });
    // The configuration plus what a technician changed over the serial line.
    const agent = await startProvisionedAgent(
      config,
      {
        clock: systemClock,
        random: systemRandom,
        logger,
        announcer: displays.announcer,
        transport: new HttpMeshTransport({ allowInsecureHttp: config.allowInsecureHttp === true }),
        secrets,
        stateStore: displays.stateStore,
        ...(config.preconfiguration === undefined
          ? {}
          : { preconfiguration: new DiskPreconfigurationFile(config.preconfiguration) }),
        confirmations: new ConfirmationDirectory(config.stateDirectory),
        // Mqtt.js is imported only when a broker is first used (push or an owner's).
        mqtt: new MqttJsConnector(),
      },
      agentSettings(config),
    );
    // A confirmation code goes to the log and to the serial console (shown on the device).
    const logCodes = logConfirmationDisplay(logger);
    const shownOn = displays;
    const display: ConfirmationDisplay = {
      show(shown) {
        logCodes.show(shown);
        shownOn.notice(`confirmation code ${shown.code} for ${shown.action} ${shown.target}`);
      },
    };
    provisioning = openSerialProvisioning(config, agent, { clock: systemClock, random: systemRandom, logger, display });
    const stop = ctx.stop ?? new AbortController().signal;
    // Once every owner is settled nothing else is pending; the agent still runs until told to stop.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    try {
      await agent.run(stop);
    } finally {
      clearInterval(keepAlive);
    }
    logger.log('info', 'mesh-agent stopped; state saved');
    return EXIT_OK;
  } finally {
    await provisioning?.close().catch(() => undefined);
    await displays?.close().catch(() => undefined);
    await secrets?.close().catch(() => undefined);
    await lock.release().catch(() => undefined);
  }
}
