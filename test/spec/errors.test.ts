import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.ts';
import { fileUnreadable, positionOf, specErrorCodes, unknownName } from '../../src/spec/errors.ts';
import { expectRejectedAt, lineColOf } from './helpers.ts';

describe('SpecError.format', () => {
  it('prints location, code and message, the line with a caret under the column, the hint', () => {
    const text = 'spec s "t"\nlock pool.lock\nop f() {\n  lock pool.lok\n}\n';
    const at = text.indexOf('pool.lok');
    const src = { path: 'spec/x.mps', text };
    const span = { start: at, end: at + 8 };
    const error = unknownName(src, span, 'lock', 'pool.lok', ['pool.lock']);
    expect(error.format()).toBe(
      [
        'spec/x.mps:4:8: error[unknown-name]: unknown lock `pool.lok`',
        '    4 |   lock pool.lok',
        '      |        ^',
        'hint: did you mean `pool.lock`?',
      ].join('\n'),
    );
  });

  it('keeps tabs in front of the caret so that it lines up with the source line', () => {
    const text = 'spec s\n\tlock\tx';
    const at = text.indexOf('x');
    const error = unknownName({ path: 'p', text }, { start: at, end: at + 1 }, 'lock', 'x', []);
    expect(error.format().split('\n')[2]).toBe('      | \t    \t^');
  });

  it('prints control characters of the source line as ?, so no escape reaches the terminal',
    () => {
      fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (junk) => {
        const text = `spec s\nlock ${junk.replace(/\n|\r|\u2028|\u2029/g, '')} x`;
        const at = text.lastIndexOf('x');
        const error = unknownName({ path: 'p', text }, { start: at, end: at + 1 }, 'lock', 'x',
          []);
        const [, line, caret] = error.format().split('\n');
        expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
        expect([...caret].length).toBe([...line].length);
      }));
    });

  it('prints a file error without line and column', () => {
    const error = fileUnreadable('spec/none.mps', 'no such file');
    expect(error.line).toBeUndefined();
    expect(error.format()).toBe(
      'spec/none.mps: error[file]: cannot read the spec file: no such file\n' +
        'hint: check the path; spec files are read relative to the working directory',
    );
  });

  it('names the declared candidates when no name is close', () => {
    const text = 'abc';
    const span = { start: 0, end: 3 };
    const error = unknownName({ path: 'p', text }, span, 'lock', 'abc', ['pool.lock']);
    expect(error.hint).toBe('declare the lock first (declared: pool.lock)');
  });
});

describe('positionOf', () => {
  it('agrees with a line count of the text before the offset, for every offset', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', '\n', ' ', '\t') }),
        fc.nat(),
        (text, n) => {
          const offset = n % (text.length + 1);
          const { line, col } = positionOf(text, offset);
          expect({ line, col }).toEqual(lineColOf(text, offset));
        },
      ),
    );
  });

  it('returns the whole line the offset is on, without its newline', () => {
    expect(positionOf('ab\ncd\nef', 4).lineText).toBe('cd');
    expect(positionOf('\nx', 0)).toEqual({ line: 1, col: 1, lineText: '' });
  });
});

describe('docs/errors.md', () => {
  const catalogue = readFileSync(join(packageRoot, 'docs', 'errors.md'), 'utf8');

  it('has exactly one entry per error code, in the order of the code list', () => {
    const headings = [...catalogue.matchAll(/^## `([a-z-]+)`$/gm)].map((m) => m[1]);
    expect(headings).toEqual([...specErrorCodes]);
  });

  it('quotes the syntax error of its example as the parser reports it', () => {
    const text = 'spec s "t"\nop free(e: elem) {\n  if e == null {\n    return\n    wmb\n  }\n}';
    const error = expectRejectedAt(text, 'syntax', 'wmb');
    expect(catalogue).toContain(error.message);
  });
});
