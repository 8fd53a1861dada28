/**
 * @module platform/led/fake-sysfs
 * A fake sysfs tree in a temp dir for the LED adapters: a kernel LED class
 * directory (`class/leds/<name>/{trigger,brightness,max_brightness}`) and a legacy GPIO class
 * (`class/gpio/{export,unexport,gpiochip<base>/{base,ngpio,label,device}}`, `device` a symlink
 * to `…/gpiochipN` as on a real board). Writes go through a recording SysfsFiles, which keeps
 * each write with its time (Date.now(), faked by vi.useFakeTimers) and, like the kernel,
 * creates `gpio<N>/` on a write to `export` and removes it on `unexport`.
 * The fakes of the agent's ports are in src/agent/fakes; this one fakes SysfsFiles, a seam
 * inside the platform layer that the agent may not see, so it lives beside that seam. It
 * writes real files: the adapters read a directory, and a spawned agent is pointed at the
 * same tree. Nothing shipped imports it.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { nodeSysfsFiles, type SysfsFiles } from './sysfs-files.js';

export interface SysfsWrite {
  /** Path below the tree's root, e.g. `class/leds/ACT/brightness`. */
  readonly file: string;
  readonly text: string;
  /** ms since `FakeSysfs.t0`. */
  readonly at: number;
}

export interface FakeGpioChip {
  readonly base: number;
  readonly ngpio: number;
  readonly label: string;
  /** The character device name the `device` link ends in, e.g. `gpiochip0`. */
  readonly device?: string;
}

export class FakeSysfs {
  readonly root: string;
  readonly writes: SysfsWrite[] = [];
  t0 = Date.now();
  /** Set to make every write fail with this errno code. */
  failWrites: string | undefined;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'fake-sysfs-'));
  }

  get ledsRoot(): string {
    return join(this.root, 'class/leds');
  }

  get gpioRoot(): string {
    return join(this.root, 'class/gpio');
  }

  addLed(
    name: string,
    trigger = 'none rc-feedback kbd-capslock timer oneshot heartbeat [mmc0] actpwr',
    maxBrightness = 1,
  ): string {
    const dir = join(this.ledsRoot, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'trigger'), `${trigger}\n`);
    writeFileSync(join(dir, 'brightness'), '0\n');
    writeFileSync(join(dir, 'max_brightness'), `${maxBrightness}\n`);
    return dir;
  }

  addGpioChip(chip: FakeGpioChip): void {
    mkdirSync(this.gpioRoot, { recursive: true });
    writeFileSync(join(this.gpioRoot, 'export'), '');
    writeFileSync(join(this.gpioRoot, 'unexport'), '');
    const dir = join(this.gpioRoot, `gpiochip${chip.base}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'base'), `${chip.base}\n`);
    writeFileSync(join(dir, 'ngpio'), `${chip.ngpio}\n`);
    writeFileSync(join(dir, 'label'), `${chip.label}\n`);
    if (chip.device !== undefined) {
      const target = join(this.root, 'devices/platform/soc', `${chip.label}.gpio`, chip.device);
      mkdirSync(target, { recursive: true });
      symlinkSync(target, join(dir, 'device'));
    }
  }

  /** An already exported line (by someone else): the adapter must not unexport it. */
  addExportedLine(number: number): void {
    this.#makeLine(number);
  }

  #makeLine(number: number): void {
    const dir = join(this.gpioRoot, `gpio${number}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'direction'), 'in\n');
    writeFileSync(join(dir, 'value'), '0\n');
    writeFileSync(join(dir, 'active_low'), '0\n');
  }

  readonly files: SysfsFiles = {
    ...nodeSysfsFiles,
    write: (path: string, text: string) => {
      if (this.failWrites !== undefined)
        throw Object.assign(new Error(`${this.failWrites}: refused`), { code: this.failWrites });
      nodeSysfsFiles.write(path, text);
      const file = relative(this.root, path);
      this.writes.push({ file, text, at: Date.now() - this.t0 });
      if (file === 'class/gpio/export') this.#makeLine(Number(text));
      if (file === 'class/gpio/unexport') rmSync(join(this.gpioRoot, `gpio${text}`), { recursive: true, force: true });
    },
  };

  /** The writes to one file, as [ms, value] pairs. */
  timeline(file: string): Array<[number, string]> {
    return this.writes.filter((w) => w.file === file).map((w) => [w.at, w.text]);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
