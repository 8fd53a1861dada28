/**
 * @module test/unit/cli/terminal-text
 * The one neutraliser for device- and service-supplied text: controls, escapes, bidi and
 * invisible characters come out visible, the length is capped, and the terminal-safe JSON
 * still parses to exactly the value it encodes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasUnsafeTerminalText, terminalJson, terminalText } from '../../../src/mesh/encoding/terminal-text.js';

const FAKE = 'ok\x1b[2K\r witness ABCD-EFGH PIN verified';

describe('terminalText', () => {
  it('shows ESC, CR and the rest of an erase-line sequence as inert visible text', () => {
    const shown = terminalText(FAKE);
    expect(shown).toBe('ok\\x1b[2K\\x0d witness ABCD-EFGH PIN verified');
    expect(shown).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });

  it('labels C1 controls, DEL, OSC with BEL, newlines and tabs', () => {
    expect(terminalText('a\u009b2Jb\x7fc')).toBe('a\\x9b2Jb\\x7fc');
    expect(terminalText('\x1b]0;title\x07')).toBe('\\x1b]0;title\\x07');
    expect(terminalText('one\ntwo\tthree')).toBe('one\\x0atwo\\x09three');
  });

  it('labels bidi controls, zero-width and invisible characters, tags and lone surrogates', () => {
    expect(terminalText('abc\u202edef')).toBe('abc⟪U+202E⟫def');
    expect(terminalText('\u2066x\u2069\u200e\u200f\u061c')).toBe('⟪U+2066⟫x⟪U+2069⟫⟪U+200E⟫⟪U+200F⟫⟪U+061C⟫');
    expect(terminalText('a\u200bb\u200cc\u200dd\u2060e\ufeff')).toBe('a⟪U+200B⟫b⟪U+200C⟫c⟪U+200D⟫d⟪U+2060⟫e⟪U+FEFF⟫');
    expect(terminalText('x\u2028y')).toBe('x⟪U+2028⟫y');
    expect(terminalText('t\u{e0041}')).toBe('t⟪U+E0041⟫');
    expect(terminalText('s\ud800!')).toBe('s⟪U+D800⟫!');
  });

  it('leaves ordinary text, accents and emoji alone', () => {
    for (const s of ['Kitchen thermostat', 'Café — Küche 台所', 'lamp 😀 #2']) {
      expect(terminalText(s)).toBe(s);
      expect(hasUnsafeTerminalText(s)).toBe(false);
    }
    expect(hasUnsafeTerminalText(FAKE)).toBe(true);
  });

  it('caps the length in code points and marks the cut', () => {
    expect(terminalText('x'.repeat(200))).toBe(`${'x'.repeat(120)}…`);
    expect(terminalText('😀'.repeat(10), 4)).toBe('😀😀😀😀…');
  });

  it('never lets a control, bidi or invisible character through (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        const shown = terminalText(s, 1000);
        expect(hasUnsafeTerminalText(shown)).toBe(false);
      }),
    );
  });
});

describe('terminalJson', () => {
  it('escapes what JSON.stringify leaves raw (C1, bidi, zero-width) and stays faithful', () => {
    const value = { description: `${FAKE}\u202e\u200b\u009b`, n: 1 };
    const text = terminalJson(value);
    expect(text).toContain('\\u202e');
    expect(text).toContain('\\u200b');
    expect(text).toContain('\\u009b');
    expect(hasUnsafeTerminalText(text)).toBe(false);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('parses back to the same value for any string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        const text = terminalJson({ s });
        expect(hasUnsafeTerminalText(text)).toBe(false);
        expect(JSON.parse(text)).toEqual({ s: JSON.parse(JSON.stringify(s)) });
      }),
    );
  });
});
