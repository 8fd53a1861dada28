/**
 * @module platform/led/sysfs-gpio-led
 * A status LED on a plain GPIO line through the legacy sysfs interface (`/sys/class/gpio`),
 * written directly rather than through onoff (docs/decisions/0005-sysfs-files-instead-of-onoff.md): onoff needs a
 * native `epoll` build with no prebuilds (build tools on every Pi), cannot be bundled, and
 * still leaves the numbering to the caller; driving an LED is four file writes.
 *
 * Numbering: current kernels no longer start the first controller at 0 (raspberrypi/linux#6084:
 * 512 and up; 571 on a Pi 5, 522 on a Pi 4 have been reported), so the global number is the
 * controller's `base` plus the configured `line`, read from `/sys/class/gpio/gpiochip<base>/base`.
 * The controller named in `led.chip` is found by, in order: the character device it belongs to
 * (`gpiochip<base>/device` resolving to `…/gpiochip0` for `led.chip: "gpiochip0"`), its `label`
 * (e.g. `pinctrl-rp1`), or the sysfs name itself (`gpiochip512`).
 *
 * Open exports the line if it is not exported yet (and unexports it at close only then),
 * waits for udev to make `direction` writable (up to ~1 s), sets `active_low` to 0 and the
 * direction to the off level (`low`, or `high` when `activeLow`) without a glitch; set writes
 * the raw `value`.
 */
import type { LedDriver } from '../../agent/led/led-driver.js';
import { LedDeviceError, errnoOf, nodeSysfsFiles, type SysfsFiles } from './sysfs-files.js';

export const GPIO_CLASS_ROOT = '/sys/class/gpio';

export interface SysfsGpioLedOptions {
  readonly chip: string;
  readonly line: number;
  readonly activeLow: boolean;
  readonly root?: string;
  readonly files?: SysfsFiles;
  /** Waits between looks for the exported line's files (udev sets their group after export). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface GpioChipInfo {
  /** The sysfs name, `gpiochip<base>`. */
  readonly name: string;
  readonly base: number;
  readonly ngpio: number;
  readonly label: string;
  /** The character device name, `gpiochipN`, when `device` resolves to one. */
  readonly device?: string;
}

/** The controllers the sysfs interface lists, with their base offsets. */
export function listGpioChips(root: string, files: SysfsFiles): GpioChipInfo[] {
  let entries: string[];
  try {
    entries = files.list(root);
  } catch (cause) {
    throw new LedDeviceError(
      `cannot list ${root} (${errnoOf(cause)}): this kernel has no sysfs GPIO interface; use led.driver "sysfs-led" with a gpio-led overlay`,
      { context: { path: root }, cause },
    );
  }
  const chips: GpioChipInfo[] = [];
  for (const name of entries.filter((e) => /^gpiochip\d+$/.test(e)).sort()) {
    const dir = `${root}/${name}`;
    const read = (file: string): string => {
      try {
        return files.read(`${dir}/${file}`).trim();
      } catch {
        return '';
      }
    };
    const base = Number.parseInt(read('base'), 10);
    const ngpio = Number.parseInt(read('ngpio'), 10);
    if (!Number.isInteger(base) || !Number.isInteger(ngpio)) continue;
    const target = files.realpath(`${dir}/device`);
    const device = target === undefined ? undefined : /(?:^|\/)(gpiochip\d+)$/.exec(target)?.[1];
    chips.push({ name, base, ngpio, label: read('label'), ...(device === undefined ? {} : { device }) });
  }
  return chips;
}

export function findGpioChip(chips: readonly GpioChipInfo[], chip: string): GpioChipInfo | undefined {
  return (
    chips.find((c) => c.device === chip) ?? chips.find((c) => c.label === chip) ?? chips.find((c) => c.name === chip)
  );
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class SysfsGpioLed implements LedDriver {
  readonly description: string;
  readonly #files: SysfsFiles;
  readonly #root: string;
  readonly #number: number;
  readonly #value: string;
  readonly #onValue: string;
  readonly #offValue: string;
  readonly #exportedByUs: boolean;
  #closed = false;

  private constructor(
    root: string,
    files: SysfsFiles,
    number: number,
    activeLow: boolean,
    exportedByUs: boolean,
    chip: GpioChipInfo,
    line: number,
  ) {
    this.description = `GPIO ${chip.device ?? chip.name} line ${line} (sysfs gpio${number}, base ${chip.base})`;
    this.#root = root;
    this.#files = files;
    this.#number = number;
    this.#value = `${root}/gpio${number}/value`;
    this.#onValue = activeLow ? '0' : '1';
    this.#offValue = activeLow ? '1' : '0';
    this.#exportedByUs = exportedByUs;
  }

  /** @throws LedDeviceError naming the controller, the line or the file */
  static async open(options: SysfsGpioLedOptions): Promise<SysfsGpioLed> {
    const root = options.root ?? GPIO_CLASS_ROOT;
    const files = options.files ?? nodeSysfsFiles;
    const sleep = options.sleep ?? defaultSleep;
    const chips = listGpioChips(root, files);
    const chip = findGpioChip(chips, options.chip);
    if (chip === undefined) {
      const found = chips.map((c) => `${c.device ?? '?'}/${c.label || '?'}/${c.name}`).join(', ') || 'none';
      throw new LedDeviceError(
        `"led.chip" ${JSON.stringify(options.chip)} names no GPIO controller in ${root} (found: ${found})`,
        { context: { chip: options.chip } },
      );
    }
    if (!Number.isInteger(options.line) || options.line < 0 || options.line >= chip.ngpio) {
      throw new LedDeviceError(
        `"led.line" expected 0..${chip.ngpio - 1} on ${options.chip} (${chip.label}), got ${options.line}`,
        { context: { line: options.line } },
      );
    }
    const number = chip.base + options.line;
    const dir = `${root}/gpio${number}`;
    const write = (path: string, text: string): void => {
      try {
        files.write(path, text);
      } catch (cause) {
        throw new LedDeviceError(`cannot write ${JSON.stringify(text)} to ${path} (${errnoOf(cause)})`, {
          context: { path },
          cause,
        });
      }
    };
    let exportedByUs = false;
    if (!files.exists(dir)) {
      write(`${root}/export`, String(number));
      exportedByUs = true;
    }
    for (let attempt = 0; !files.writable(`${dir}/direction`); attempt++) {
      if (attempt >= 20)
        throw new LedDeviceError(
          `${dir}/direction did not become writable after export (is the agent in the gpio group?)`,
          { context: { path: `${dir}/direction` } },
        );
      await sleep(50);
    }
    if (files.exists(`${dir}/active_low`)) write(`${dir}/active_low`, '0');
    write(`${dir}/direction`, options.activeLow ? 'high' : 'low');
    return new SysfsGpioLed(root, files, number, options.activeLow, exportedByUs, chip, options.line);
  }

  set(on: boolean): void {
    if (this.#closed) return;
    this.#write(this.#value, on ? this.#onValue : this.#offValue);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#write(this.#value, this.#offValue);
    } finally {
      if (this.#exportedByUs) this.#write(`${this.#root}/unexport`, String(this.#number));
    }
  }

  #write(path: string, text: string): void {
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
