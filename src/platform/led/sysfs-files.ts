/**
 * @module platform/led/sysfs-files
 * The file operations the LED adapters use, injectable so the tests run them against a fake
 * sysfs tree in a temp dir and record every write with its (fake) time. Synchronous: sysfs
 * attribute files are a few bytes, and the pattern player's timing depends on the write being
 * done when `set` returns (agent/led/led-driver).
 */
import { accessSync, constants, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { MeshError } from '../../crypto/errors.js';

/** The LED's sysfs files are missing, unreadable or refuse a write; the message names the file. */
export class LedDeviceError extends MeshError {
  readonly code = 'ERR_LED_DEVICE';
}

export interface SysfsFiles {
  read(path: string): string;
  write(path: string, text: string): void;
  list(directory: string): string[];
  /** The target of a symlink chain, or undefined when it does not resolve. */
  realpath(path: string): string | undefined;
  exists(path: string): boolean;
  writable(path: string): boolean;
}

export const nodeSysfsFiles: SysfsFiles = {
  read: (path) => readFileSync(path, 'utf8'),
  write: (path, text) => writeFileSync(path, text),
  list: (directory) => readdirSync(directory),
  realpath(path) {
    try {
      return realpathSync(path);
    } catch {
      return undefined;
    }
  },
  exists(path) {
    try {
      accessSync(path, constants.F_OK);
      return true;
    } catch {
      return false;
    }
  },
  writable(path) {
    try {
      accessSync(path, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  },
};

/** errno code of a failed file operation, for messages (`EACCES`, `ENOENT`, …). */
export function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? (error instanceof Error ? error.message : String(error));
}
