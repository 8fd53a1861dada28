/**
 * @module test/unit/agent/led-drivers.test
 * The LED adapters on a fake sysfs tree: the kernel LED class takes the LED from
 * its trigger and gives it back; sysfs GPIO finds the controller's base offset (512+ on
 * current kernels), exports, drives and unexports the line; activeLow swaps the levels; every
 * failure is an LedDeviceError naming the file, the chip or the line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NoLed } from '../../../src/agent/led/led-driver.js';
import { KernelLed, selectedTrigger } from '../../../src/platform/led/kernel-led.js';
import { openLed } from '../../../src/platform/led/open-led.js';
import { LedDeviceError } from '../../../src/platform/led/sysfs-files.js';
import { SysfsGpioLed, listGpioChips } from '../../../src/platform/led/sysfs-gpio-led.js';
import { FakeSysfs } from '../../../src/platform/led/fake-sysfs.js';

let sysfs: FakeSysfs;
beforeEach(() => {
  sysfs = new FakeSysfs();
});
afterEach(() => sysfs.remove());

const values = (file: string): string[] => sysfs.timeline(file).map(([, v]) => v);

describe('kernel LED class', () => {
  it('reads the selected trigger', () => {
    expect(selectedTrigger('none rc-feedback [mmc0] timer\n')).toBe('mmc0');
    expect(selectedTrigger('[none] timer')).toBe('none');
    expect(selectedTrigger('none timer')).toBeUndefined();
  });

  it('sets the trigger to none at open, writes brightness, restores the trigger at close', () => {
    const dir = sysfs.addLed('ACT');
    const led = KernelLed.open({ name: 'ACT', activeLow: false, root: sysfs.ledsRoot, files: sysfs.files });
    expect(led.description).toBe(`kernel LED ${dir}`);
    led.set(true);
    led.set(false);
    led.set(true);
    led.close();
    led.close();
    led.set(true); // after close: nothing
    expect(sysfs.writes.map((w) => [w.file, w.text])).toEqual([
      ['class/leds/ACT/trigger', 'none'],
      ['class/leds/ACT/brightness', '1'],
      ['class/leds/ACT/brightness', '0'],
      ['class/leds/ACT/brightness', '1'],
      ['class/leds/ACT/brightness', '0'],
      ['class/leds/ACT/trigger', 'mmc0'],
    ]);
    expect(readFileSync(join(dir, 'trigger'), 'utf8')).toBe('mmc0');
  });

  it('lights at max_brightness, and swaps the levels when activeLow', () => {
    sysfs.addLed('status', '[none] timer', 255);
    const led = KernelLed.open({ name: 'status', activeLow: true, root: sysfs.ledsRoot, files: sysfs.files });
    led.set(true);
    led.set(false);
    led.close();
    // The previous trigger was none: nothing to restore.
    expect(sysfs.writes.map((w) => [w.file, w.text])).toEqual([
      ['class/leds/status/trigger', 'none'],
      ['class/leds/status/brightness', '0'],
      ['class/leds/status/brightness', '255'],
      ['class/leds/status/brightness', '255'],
    ]);
  });

  it('refuses a missing LED, a name with a slash, and a refused write, naming the file', () => {
    expect(() => KernelLed.open({ name: 'nope', activeLow: false, root: sysfs.ledsRoot, files: sysfs.files })).toThrow(
      LedDeviceError,
    );
    expect(() => KernelLed.open({ name: 'nope', activeLow: false, root: sysfs.ledsRoot, files: sysfs.files })).toThrow(
      new RegExp(`cannot read ${sysfs.ledsRoot}/nope/trigger \\(ENOENT\\)`),
    );
    expect(() => KernelLed.open({ name: '../x', activeLow: false, root: sysfs.ledsRoot, files: sysfs.files })).toThrow(
      /"led.name" expected the name of an LED/,
    );
    sysfs.addLed('ACT');
    const led = KernelLed.open({ name: 'ACT', activeLow: false, root: sysfs.ledsRoot, files: sysfs.files });
    sysfs.failWrites = 'EACCES';
    expect(() => led.set(true)).toThrow(/cannot write "1" to .*class\/leds\/ACT\/brightness \(EACCES\)/);
  });
});

describe('sysfs GPIO', () => {
  beforeEach(() => {
    // A Pi 4 on kernel 6.6: the SoC's controller at base 512, the expander's after it.
    sysfs.addGpioChip({ base: 512, ngpio: 58, label: 'pinctrl-bcm2711', device: 'gpiochip0' });
    sysfs.addGpioChip({ base: 570, ngpio: 8, label: 'raspberrypi-exp-gpio', device: 'gpiochip1' });
  });

  it('lists the controllers with their base offsets and character devices', () => {
    expect(listGpioChips(sysfs.gpioRoot, sysfs.files)).toEqual([
      { name: 'gpiochip512', base: 512, ngpio: 58, label: 'pinctrl-bcm2711', device: 'gpiochip0' },
      { name: 'gpiochip570', base: 570, ngpio: 8, label: 'raspberrypi-exp-gpio', device: 'gpiochip1' },
    ]);
  });

  it('exports base + line, sets the direction to off, writes value, unexports at close', async () => {
    const led = await SysfsGpioLed.open({
      chip: 'gpiochip0',
      line: 17,
      activeLow: false,
      root: sysfs.gpioRoot,
      files: sysfs.files,
    });
    expect(led.description).toBe('GPIO gpiochip0 line 17 (sysfs gpio529, base 512)');
    led.set(true);
    led.set(false);
    led.close();
    expect(sysfs.writes.map((w) => [w.file, w.text])).toEqual([
      ['class/gpio/export', '529'],
      ['class/gpio/gpio529/active_low', '0'],
      ['class/gpio/gpio529/direction', 'low'],
      ['class/gpio/gpio529/value', '1'],
      ['class/gpio/gpio529/value', '0'],
      ['class/gpio/gpio529/value', '0'],
      ['class/gpio/unexport', '529'],
    ]);
  });

  it('finds a controller by label or sysfs name too; activeLow starts high and lights with 0', async () => {
    const led = await SysfsGpioLed.open({
      chip: 'raspberrypi-exp-gpio',
      line: 2,
      activeLow: true,
      root: sysfs.gpioRoot,
      files: sysfs.files,
    });
    led.set(true);
    led.close();
    expect(values('class/gpio/gpio572/direction')).toEqual(['high']);
    expect(values('class/gpio/gpio572/value')).toEqual(['0', '1']);
    const byName = await SysfsGpioLed.open({
      chip: 'gpiochip512',
      line: 0,
      activeLow: false,
      root: sysfs.gpioRoot,
      files: sysfs.files,
    });
    expect(byName.description).toContain('gpio512');
    byName.close();
  });

  it('leaves a line exported by someone else exported', async () => {
    sysfs.addExportedLine(529);
    const led = await SysfsGpioLed.open({
      chip: 'gpiochip0',
      line: 17,
      activeLow: false,
      root: sysfs.gpioRoot,
      files: sysfs.files,
    });
    led.close();
    expect(sysfs.writes.map((w) => w.file)).not.toContain('class/gpio/export');
    expect(sysfs.writes.map((w) => w.file)).not.toContain('class/gpio/unexport');
  });

  it('waits for udev to make the exported line writable, then gives up with a message', async () => {
    let looks = 0;
    const files = { ...sysfs.files, writable: (path: string) => ++looks > 3 && sysfs.files.writable(path) };
    const slept: number[] = [];
    const led = await SysfsGpioLed.open({
      chip: 'gpiochip0',
      line: 4,
      activeLow: false,
      root: sysfs.gpioRoot,
      files,
      sleep: async (ms) => void slept.push(ms),
    });
    expect(slept).toEqual([50, 50, 50]);
    led.close();
    const never = { ...sysfs.files, writable: () => false };
    await expect(
      SysfsGpioLed.open({
        chip: 'gpiochip0',
        line: 5,
        activeLow: false,
        root: sysfs.gpioRoot,
        files: never,
        sleep: async () => undefined,
      }),
    ).rejects.toThrow(/gpio517\/direction did not become writable after export \(is the agent in the gpio group\?\)/);
  });

  it('refuses an unknown chip (listing those found), a line out of range, and a kernel without sysfs GPIO', async () => {
    const open = (chip: string, line: number, root = sysfs.gpioRoot) =>
      SysfsGpioLed.open({ chip, line, activeLow: false, root, files: sysfs.files });
    await expect(open('gpiochip4', 17)).rejects.toThrow(LedDeviceError);
    await expect(open('gpiochip4', 17)).rejects.toThrow(
      /"led.chip" "gpiochip4" names no GPIO controller in .* \(found: gpiochip0\/pinctrl-bcm2711\/gpiochip512, gpiochip1\/raspberrypi-exp-gpio\/gpiochip570\)/,
    );
    await expect(open('gpiochip1', 8)).rejects.toThrow(
      /"led.line" expected 0..7 on gpiochip1 \(raspberrypi-exp-gpio\), got 8/,
    );
    await expect(open('gpiochip0', 1, join(sysfs.root, 'no-gpio'))).rejects.toThrow(
      /cannot list .*no-gpio \(ENOENT\): this kernel has no sysfs GPIO interface/,
    );
  });
});

describe('openLed', () => {
  it('opens the driver the configuration names', async () => {
    sysfs.addLed('ACT');
    sysfs.addGpioChip({ base: 512, ngpio: 58, label: 'pinctrl-bcm2711', device: 'gpiochip0' });
    const roots = { ledsRoot: sysfs.ledsRoot, gpioRoot: sysfs.gpioRoot, files: sysfs.files };
    expect(await openLed({ driver: 'none' }, roots)).toBeInstanceOf(NoLed);
    const kernel = await openLed({ driver: 'sysfs-led', name: 'ACT', activeLow: false }, roots);
    expect(kernel).toBeInstanceOf(KernelLed);
    kernel.close();
    const gpio = await openLed({ driver: 'gpio', chip: 'gpiochip0', line: 17, activeLow: false }, roots);
    expect(gpio).toBeInstanceOf(SysfsGpioLed);
    gpio.close();
  });
});
