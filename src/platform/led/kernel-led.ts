/**
 * @module platform/led/kernel-led
 * A status LED of the kernel LED class: `/sys/class/leds/<name>/{trigger,
 * brightness,max_brightness}`. Works for the Pi's own ACT (and PWR) LED and for any LED a
 * `gpio-led` device-tree overlay declares (firmware-config), with no native addon.
 *
 * Open reads the current trigger (the bracketed word of `trigger`, e.g. `[mmc0]`), remembers
 * it and writes `none`, so the kernel stops driving the LED; close darkens it and writes the
 * remembered trigger back, so the ACT LED shows SD activity again after the agent stops. On is
 * `max_brightness` (1 for GPIO LEDs, 255 for some PWM ones); `activeLow` swaps on and off for
 * an LED wired the other way round without an overlay that says so.
 */
import type { LedDriver } from '../../agent/led/led-driver.js';
import { LedDeviceError, errnoOf, nodeSysfsFiles, type SysfsFiles } from './sysfs-files.js';

export const LEDS_CLASS_ROOT = '/sys/class/leds';

export interface KernelLedOptions {
  readonly name: string;
  readonly activeLow: boolean;
  /** `/sys/class/leds` unless a test gives a fake tree. */
  readonly root?: string;
  readonly files?: SysfsFiles;
}

/** The selected trigger of a `trigger` file: `none [mmc0] timer` → `mmc0`. */
export function selectedTrigger(text: string): string | undefined {
  return /\[([^\]\s]+)\]/.exec(text)?.[1];
}

export class KernelLed implements LedDriver {
  readonly description: string;
  readonly #files: SysfsFiles;
  readonly #brightness: string;
  readonly #trigger: string;
  readonly #previousTrigger: string | undefined;
  readonly #onValue: string;
  readonly #offValue: string;
  #closed = false;

  private constructor(
    directory: string,
    files: SysfsFiles,
    previousTrigger: string | undefined,
    max: number,
    activeLow: boolean,
  ) {
    this.description = `kernel LED ${directory}`;
    this.#files = files;
    this.#brightness = `${directory}/brightness`;
    this.#trigger = `${directory}/trigger`;
    this.#previousTrigger = previousTrigger;
    this.#onValue = String(activeLow ? 0 : max);
    this.#offValue = String(activeLow ? max : 0);
  }

  /** @throws LedDeviceError naming the file that is missing or refused the write */
  static open(options: KernelLedOptions): KernelLed {
    const files = options.files ?? nodeSysfsFiles;
    if (!/^[^/\0]+$/.test(options.name) || options.name === '.' || options.name === '..') {
      throw new LedDeviceError(
        `"led.name" expected the name of an LED under ${LEDS_CLASS_ROOT}, got ${JSON.stringify(options.name)}`,
        { context: { name: options.name } },
      );
    }
    const directory = `${options.root ?? LEDS_CLASS_ROOT}/${options.name}`;
    const read = (file: string): string => {
      try {
        return files.read(`${directory}/${file}`);
      } catch (cause) {
        throw new LedDeviceError(
          `cannot read ${directory}/${file} (${errnoOf(cause)}): is "${options.name}" an LED of this board?`,
          { context: { path: `${directory}/${file}` }, cause },
        );
      }
    };
    const previous = selectedTrigger(read('trigger'));
    let max = 1;
    if (files.exists(`${directory}/max_brightness`)) {
      const parsed = Number.parseInt(read('max_brightness').trim(), 10);
      if (Number.isInteger(parsed) && parsed > 0) max = parsed;
    }
    const led = new KernelLed(directory, files, previous, max, options.activeLow);
    led.#writeFile(led.#trigger, 'none');
    return led;
  }

  set(on: boolean): void {
    if (this.#closed) return;
    this.#writeFile(this.#brightness, on ? this.#onValue : this.#offValue);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#writeFile(this.#brightness, this.#offValue);
    } finally {
      // Writing a trigger resets brightness under the kernel's control; `none` needs nothing.
      if (this.#previousTrigger !== undefined && this.#previousTrigger !== 'none')
        this.#writeFile(this.#trigger, this.#previousTrigger);
    }
  }

  #writeFile(path: string, text: string): void {
    try {
      this.#files.write(path, text);
    } catch (cause) {
      throw new LedDeviceError(`cannot write ${JSON.stringify(text)} to ${path} (${errnoOf(cause)})`, {
        context: { path },
        cause,
      });
    }
  }
}
