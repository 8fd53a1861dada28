/**
 * @module platform/led/open-led
 * The LED the configuration asks for (`led.driver`), and the real timer the pattern player
 * runs on. An LED that cannot be opened is the caller's to report; the agent then runs with
 * NoLed rather than not at all (a status light is not worth a device that will not start).
 */
import type { LedConfig } from '../../agent/config/agent-config.js';
import { NoLed, type LedDriver } from '../../agent/led/led-driver.js';
import type { LedTimer } from '../../agent/led/led-player.js';
import { KernelLed } from './kernel-led.js';
import { SysfsGpioLed } from './sysfs-gpio-led.js';
import type { SysfsFiles } from './sysfs-files.js';

export interface OpenLedOptions {
  /** Fake trees for tests: the LED class root and the GPIO class root. */
  readonly ledsRoot?: string;
  readonly gpioRoot?: string;
  readonly files?: SysfsFiles;
}

/** @throws LedDeviceError when the configured LED cannot be opened */
export async function openLed(config: LedConfig, options: OpenLedOptions = {}): Promise<LedDriver> {
  switch (config.driver) {
    case 'none':
      return new NoLed();
    case 'sysfs-led':
      return KernelLed.open({
        name: config.name,
        activeLow: config.activeLow,
        ...(options.ledsRoot === undefined ? {} : { root: options.ledsRoot }),
        ...(options.files === undefined ? {} : { files: options.files }),
      });
    case 'gpio':
      return SysfsGpioLed.open({
        chip: config.chip,
        line: config.line,
        activeLow: config.activeLow,
        ...(options.gpioRoot === undefined ? {} : { root: options.gpioRoot }),
        ...(options.files === undefined ? {} : { files: options.files }),
      });
  }
}

/** The real timer; `unref` so a blinking LED never keeps a finished process alive. */
export const systemLedTimer: LedTimer = {
  set(callback, ms) {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return handle;
  },
  clear(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
