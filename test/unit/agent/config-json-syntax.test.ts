/**
 * @module test/unit/agent/config-json-syntax
 * The syntax-error locator agrees with JSON.parse on what is valid, and points at the
 * offending character, so config errors can name a line and column without quoting the text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonSyntaxOffset, lineAndColumn } from '../../../src/agent/config/json-syntax-position.js';
import { ConfigError } from '../../../src/agent/config/config-error.js';
import { parseAgentConfig } from '../../../src/agent/config/validate-agent-config.js';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('jsonSyntaxOffset', () => {
  it.each([
    ['{"a": [1, 2,]}', 12],
    ['{"a": 1 "b": 2}', 8],
    ['{"a": 01}', 7],
    ['{"a": "x\ny"}', 6],
    ['{"a": tru}', 6],
    ['[1] 2', 4],
    ['', 0],
    ['{"a": 1', 7],
  ])('%j fails at %i', (text, offset) => {
    expect(parses(text)).toBe(false);
    expect(jsonSyntaxOffset(text)).toBe(offset);
  });

  it('agrees with JSON.parse on JSON values and on mutated JSON text', () => {
    const mutated = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', ' ', 'x', '0', '\n', '-', '.'))
      .map(([text, at, insert]) => {
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i);
      });
    fc.assert(
      fc.property(fc.oneof(fc.json(), mutated, fc.string()), (text) => {
        expect(jsonSyntaxOffset(text) === undefined).toBe(parses(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('lineAndColumn is 1-based', () => {
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});

describe('parseAgentConfig syntax errors', () => {
  it('name the line and column, and never quote the text around them', () => {
    const text =
      '{\n  "owners": [\n    { "account": "a@b.example", "pin": "AARN-NLR2-QAHW-4FOR-BRW5-EFHF-NI" },\n  ]\n}';
    let error: unknown;
    try {
      parseAgentConfig(text, '/etc/mesh-agent/config.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('line 4 column 3');
    expect(message).toContain('/etc/mesh-agent/config.json');
    expect(message).not.toContain('NLR2');
  });
});
