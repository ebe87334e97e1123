import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSpec, SpecError } from '../../src/spec/load.ts';
import { mempoolText } from './helpers.ts';

describe('parseSpec under random damage to the spec text', () => {
  // The spec without its comment lines (damage to a comment changes nothing, and ohm takes
  // about 7 us per character), cut into words, numbers, strings and punctuation, each token
  // with the white space before it.
  const base = mempoolText.replace(/^\s*#.*\n/gm, '');
  const token = /\s*(#[^\n]*|"(?:[^"\\\n]|\\.)*"|[A-Za-z_0-9.@]+|->|\.\.|[<>=!]=|&&|\|\||\S)/g;
  const tokens = base.match(token)!;

  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(tokens.length - 1) }),
    fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(tokens.length - 1) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(base.length) }),
  );

  function mutate(ms: { kind: 'delete' | 'duplicate' | 'truncate'; at: number }[]): string {
    let ts = [...tokens];
    let cut: number | undefined;
    for (const m of ms) {
      const i = m.at % ts.length;
      if (m.kind === 'delete') ts.splice(i, 1);
      else if (m.kind === 'duplicate') ts.splice(i, 0, ts[i]);
      else cut = Math.min(cut ?? Infinity, m.at);
    }
    const text = ts.join('');
    return cut === undefined ? text : text.slice(0, cut);
  }

  it('rebuilds the original text from its tokens', () => {
    expect(tokens.join('')).toBe(base.trimEnd());
    expect(() => parseSpec(base, 'm.mps')).not.toThrow();
  });

  it('throws only SpecErrors, at positions inside the input, the same way every time', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
        const text = mutate(ms);
        const outcome = () => {
          try {
            return { ir: parseSpec(text, 'm.mps') };
          } catch (e) {
            if (!(e instanceof SpecError)) throw e;
            return { error: e.format() , line: e.line, col: e.col };
          }
        };
        const first = outcome();
        expect(outcome()).toEqual(first);
        if ('error' in first) {
          const lines = text.split('\n');
          expect(first.line).toBeGreaterThanOrEqual(1);
          expect(first.line).toBeLessThanOrEqual(lines.length);
          expect(first.col).toBeGreaterThanOrEqual(1);
          expect(first.col).toBeLessThanOrEqual(lines[first.line! - 1].length + 1);
        }
      }),
      { numRuns: 40 },
    );
  });
});
