/**
 * @module cli/console/page/led-blink
 * The check code as the device's LED blinks it (src/agent/led/led-pattern.ts, the same
 * steps and timings the agent plays; docs/led-and-console.md), played on a dot in the page so
 * the person can watch both side by side. The digits are shown too, for counting.
 */
import { checkCodePattern } from '../../../agent/led/led-pattern.js';
import { h } from './dom.js';

/** A dot that blinks `code` in a loop while it is in the document. */
export function ledBlink(code: string): HTMLElement {
  const dot = h('span', { class: 'led', role: 'img', 'aria-label': `LED blinking check code ${[...code].join(' ')}` });
  const steps = checkCodePattern(code);
  let index = 0;
  const step = (): void => {
    if (!dot.isConnected && index > 0) return;
    const s = steps[index % steps.length];
    if (s === undefined) return;
    dot.classList.toggle('on', s.on);
    index += 1;
    setTimeout(step, s.ms);
  };
  // Start once attached, so the first START flash is seen.
  requestAnimationFrame(step);
  return dot;
}
