/**
 * @module agent/led/led-driver
 * The one thing the agent asks of a status LED: on, off, and give it back.
 * Adapters in platform/led: the kernel LED class, sysfs GPIO, and none. `set` is synchronous
 * on purpose: a sysfs write is a few bytes to a virtual file, and a synchronous write keeps
 * the blink timing exactly where the pattern player puts it (and testable with fake timers).
 */

export interface LedDriver {
  /** A human-readable location for logs, e.g. `/sys/class/leds/ACT`. */
  readonly description: string;
  /** Lights (true) or darkens (false) the LED; `activeLow` is the adapter's business. */
  set(on: boolean): void;
  /** Leaves the LED off and gives it back (e.g. restores the kernel trigger); safe twice. */
  close(): void;
}

/** No LED (`led.driver: "none"`), and the stand-in when the configured one cannot be opened. */
export class NoLed implements LedDriver {
  readonly description = 'none';
  set(_on: boolean): void {}
  close(): void {}
}
