import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { commentText, normalizeOutput, tsStringLiteral } from '../../src/gen/templates.ts';

describe('escaping spec text for generated code', () => {
  it('makes a string literal that evaluates back to the same text, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const literal = tsStringLiteral(text);
        expect(new Function(`return ${literal};`)()).toBe(text);
        expect(literal).not.toMatch(/[\n\r\u2028\u2029]/);
      }),
    );
  });

  it('keeps hostile text from ending a comment or a line', () => {
    const hostile = ['*/ alert(1) /*', '*) evil (*', 'a\nb', 'x\u2028y', '`${1}`', "'\""];
    for (const text of hostile) {
      const c = commentText(text);
      expect(c).not.toMatch(/\*\/|\*\)|\(\*|[\n\r\u2028\u2029]/);
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(commentText(text)).not.toMatch(/\*\/|\*\)|\(\*|[\n\r\u2028\u2029]/);
      }),
    );
  });

  it('normalises output to single blank lines, no trailing spaces and one final newline', () => {
    expect(normalizeOutput('a  \n\n\n\nb\t\n\n')).toBe('a\n\nb\n');
    fc.assert(
      fc.property(fc.string(), (text) => {
        const once = normalizeOutput(text);
        expect(normalizeOutput(once)).toBe(once);
        expect(once.endsWith('\n')).toBe(true);
        expect(once).not.toMatch(/[ \t]\n|\n\n\n/);
      }),
    );
  });
});
