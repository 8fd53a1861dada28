/**
 * @module agent/config/json-syntax-position
 * Where a JSON text first goes wrong, as line and column. Node 20's JSON.parse names the
 * position for some errors only ("Unexpected token ']', ..." has none), and a person fixing
 * a trailing comma over a serial console needs the line. A scanner of the RFC 8259 grammar
 * that stops at the first offence, used only after JSON.parse has already failed.
 */

const WS = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/;
const STRING = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/;

class Offence {
  constructor(readonly offset: number) {}
}

/** The offset of the first syntax error in `text`, or undefined if it is valid JSON. */
export function jsonSyntaxOffset(text: string): number | undefined {
  let i = 0;
  const skip = (): void => {
    while (i < text.length && WS.has(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw new Offence(i);
  };
  const expect = (c: string): void => {
    skip();
    if (text[i] !== c) fail();
    i++;
  };
  const value = (): void => {
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      skip();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skip();
        string();
        expect(':');
        value();
        skip();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '[') {
      i++;
      skip();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        skip();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') return string();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    const number = NUMBER.exec(text.slice(i));
    if (number === null) fail();
    i += (number as RegExpExecArray)[0].length;
  };
  const string = (): void => {
    const match = text[i] === '"' ? STRING.exec(text.slice(i)) : null;
    if (match === null) fail();
    i += (match as RegExpExecArray)[0].length;
  };
  try {
    value();
    skip();
    if (i < text.length) fail();
    return undefined;
  } catch (error) {
    if (error instanceof Offence) return error.offset;
    throw error;
  }
}

/** 1-based line and column of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1] ?? '').length + 1 };
}
