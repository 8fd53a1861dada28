/**
 * @module cli/agent/device-displays
 * Wires the device's own channels into the agent: the log announcer, the
 * check-code log line, the status LED (`led`) and the serial console (`serial.console`), each
 * following the saved status through ObservedStateStore. A channel that cannot be opened is
 * logged and left out (the LED) or retried in the background (the console); the agent starts
 * either way. Nothing optional is loaded unless configured: the LED needs no package, the
 * console loads `serialport` and `qrcode` on first use.
 */
import type { AgentConfig } from '../../agent/config/agent-config.js';
import { CheckCodeLog } from '../../agent/announce/check-code-log.js';
import { CompositeAnnouncer } from '../../agent/announce/composite-announcer.js';
import { ObservedStateStore, type StatusDisplay } from '../../agent/announce/status-display.js';
import { LedPlayer } from '../../agent/led/led-player.js';
import { StatusLed } from '../../agent/led/status-led.js';
import { describeError } from '../../agent/describe-error.js';
import type { Announcer, Logger, StateStore } from '../../agent/ports.js';
import { openLed, systemLedTimer, type OpenLedOptions } from '../../platform/led/open-led.js';
import { LogAnnouncer } from '../../platform/log/line-logger.js';
import { SerialConsole } from '../../platform/serial/serial-console.js';

export interface DeviceDisplays {
  readonly announcer: Announcer;
  /** The state store to give the agent: the real one, with every saved status shown. */
  readonly stateStore: StateStore;
  /** One line on the serial console, if there is one and it is open (not logged here). */
  notice(text: string): void;
  /** Darkens the LED and gives it back, writes what the console still has queued, closes it. */
  close(): Promise<void>;
}

export async function openDeviceDisplays(
  config: AgentConfig,
  logger: Logger,
  stateStore: StateStore,
  /** Where the LED classes are, when not the system's (a test's fake sysfs tree). */
  led: Pick<OpenLedOptions, 'ledsRoot' | 'gpioRoot'> = {},
): Promise<DeviceDisplays> {
  const displays: StatusDisplay[] = [new CheckCodeLog(logger)];
  const channels: Announcer[] = [new LogAnnouncer(logger)];

  if (config.led.driver !== 'none') {
    try {
      const driver = await openLed(config.led, led);
      const player = new LedPlayer(driver, systemLedTimer, (error) =>
        logger.log('warn', `status LED: ${describeError(error)}`, { event: 'led' }),
      );
      displays.push(new StatusLed(player));
      logger.log('info', `status LED ${driver.description}`, { event: 'led' });
    } catch (error) {
      logger.log('warn', `status LED unavailable, running without it: ${describeError(error)}`, { event: 'led' });
    }
  }

  let serialConsole: SerialConsole | undefined;
  if (config.serial.console !== undefined) {
    serialConsole = new SerialConsole({ path: config.serial.console, baudRate: config.serial.baudRate, logger });
    displays.push(serialConsole);
    channels.push(serialConsole);
    void serialConsole.start();
  }

  const report = (error: unknown): void => logger.log('warn', `display: ${describeError(error)}`, { event: 'display' });
  return {
    announcer: new CompositeAnnouncer(channels, report),
    stateStore: new ObservedStateStore(stateStore, displays, report),
    notice(text: string): void {
      serialConsole?.notice(text);
    },
    async close(): Promise<void> {
      for (const display of displays) await display.close().catch(report);
    },
  };
}
