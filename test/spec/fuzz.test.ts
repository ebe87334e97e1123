import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SpecError } from '../../src/spec/load.ts';
import {
  locationProblem, mempoolBase, minimalBase, mutantSpec, runFrontEnd, tokenize,
} from '../support/spec-fuzz.ts';

describe('fuzzing the front end and gen with grammar-aware mutants of the spec', () => {
  it('cuts the seeds into tokens that join back into them', () => {
    expect(tokenize(mempoolBase).join('')).toBe(mempoolBase);
    expect(tokenize(minimalBase).join('')).toBe(minimalBase);
  });

  it('throws nothing but SpecErrors, each located inside its input (500 inputs)', () => {
    const outcomes = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(mutantSpec(9), (text) => {
        const outcome = runFrontEnd(text);
        if (outcome.kind === 'uncaught') {
          throw new Error(`uncaught in ${outcome.stage}`, { cause: outcome.error });
        }
        outcomes[outcome.kind]++;
        if (outcome.kind === 'rejected') {
          expect(outcome.error).toBeInstanceOf(SpecError);
          expect(locationProblem(outcome.error, text)).toBeUndefined();
          // The formatted message carries the location it claims.
          if (outcome.error.line !== undefined) {
            expect(outcome.error.format()).toContain(
              `fuzz.mps:${outcome.error.line}:${outcome.error.col}: error[`);
          }
        }
      }),
      { numRuns: 500, seed: 42 },
    );
    // The mutator reaches both the errors and gen; a mutator that only broke the syntax
    // would test the parser's first line of defence and nothing behind it.
    expect(outcomes.accepted).toBeGreaterThan(10);
    expect(outcomes.rejected).toBeGreaterThan(300);
  }, 120_000);

  it('finds the location of an error at the last column and in a text with a BOM', () => {
    const text = '\uFEFFspec x "a"\nop f() {';
    const outcome = runFrontEnd(text);
    expect(outcome.kind).toBe('rejected');
    if (outcome.kind !== 'rejected') return;
    expect(locationProblem(outcome.error, text)).toBeUndefined();
    expect({ line: outcome.error.line, col: outcome.error.col }).toEqual({ line: 2, col: 9 });
  });

  it('reports a spec gen cannot render as gen-unsupported, not an internal error', () => {
    // The minimal spec is valid but has none of the pool's API operations.
    const outcome = runFrontEnd(minimalBase);
    expect(outcome.kind).toBe('rejected');
    if (outcome.kind !== 'rejected') return;
    expect(outcome.error.code).toBe('gen-unsupported');
    expect(outcome.error.message).toContain("no operation 'create'");
    // A name herd7 reserves for itself (spin_*) cannot be a litmus identifier.
    const reserved = runFrontEnd(mempoolBase.replaceAll('pool.lock', 'spin_x.lock'));
    expect(reserved.kind).toBe('rejected');
    if (reserved.kind !== 'rejected') return;
    expect(reserved.error.code).toBe('gen-unsupported');
    expect(reserved.error.message).toContain('spin_x_lock');
  });
});
