import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr, Op } from '../../src/ir.ts';
import { emitExpr, makeScope } from '../../src/gen/reference-emit.ts';
import { evalExpr, type ModelState } from '../../src/interp/sequential.ts';

/** Well-typed expressions over the int locals `a`, `b` and the bool local `p`. */
const exprArb = (): { int: fc.Arbitrary<Expr>; bool: fc.Arbitrary<Expr> } => {
  const { int, bool } = fc.letrec<{ int: Expr; bool: Expr }>((tie) => ({
    int: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.integer({ min: -3, max: 3 }).map((value): Expr => ({ k: 'num', value })),
      fc.constantFrom<Expr>({ k: 'local', name: 'a' }, { k: 'local', name: 'b' }),
      fc.tuple(fc.constantFrom('+', '-', '*' as const), tie('int'), tie('int'))
        .map(([op, left, right]): Expr => ({ k: 'bin', op, left, right })),
      fc.tuple(fc.constantFrom('min', 'max' as const), fc.array(tie('int'),
        { minLength: 1, maxLength: 3 })).map(([fn, args]): Expr => ({ k: 'call', fn, args })),
    ),
    bool: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.boolean().map((value): Expr => ({ k: 'bool', value })),
      fc.constant<Expr>({ k: 'local', name: 'p' }),
      // Weighted up: a negated comparison is emitted as the opposite comparison.
      { arbitrary: tie('bool').map((arg): Expr => ({ k: 'not', arg })), weight: 3 },
      fc.tuple(fc.constantFrom('<', '<=', '>', '>=', '==', '!=' as const), tie('int'),
        tie('int')).map(([op, left, right]): Expr => ({ k: 'bin', op, left, right })),
      fc.tuple(fc.constantFrom('&&', '||', '==', '!=' as const), tie('bool'), tie('bool'))
        .map(([op, left, right]): Expr => ({ k: 'bin', op, left, right })),
    ),
  }));
  return { int: int as fc.Arbitrary<Expr>, bool: bool as fc.Arbitrary<Expr> };
};

describe('emitted expressions', () => {
  const probe: Op = { name: 'probe', params: [], returns: 'void', body: [], doc: '',
    loc: { line: 1, col: 1 },
    locals: [{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }, { name: 'p', type: 'bool' }] };
  const scope = makeScope(probe, new Map(), new Set());
  const compile = (expr: Expr) => new Function('a', 'b', 'p', `return ${emitExpr(expr, scope)};`) as
    (a: number, b: number, p: boolean) => unknown;

  it('negate every comparison correctly, equal sides included', () => {
    for (const op of ['<', '<=', '>', '>=', '==', '!='] as const) {
      const expr: Expr = { k: 'not', arg: { k: 'bin', op, left: { k: 'local', name: 'a' },
        right: { k: 'local', name: 'b' } } };
      for (const [a, b] of [[0, 1], [1, 1], [2, 1]]) {
        expect(compile(expr)(a, b, false), `${op} ${a} ${b}`)
          .toBe(evalExpr(expr, {} as ModelState, { a, b }));
      }
    }
  });

  it('compute what the sequential model computes, parenthesised as the IR nests them', () => {
    const { int, bool } = exprArb();
    // Few values, so that comparisons often meet equal sides.
    const locals = fc.record({ a: fc.integer({ min: -2, max: 2 }),
      b: fc.integer({ min: -2, max: 2 }), p: fc.boolean() });
    fc.assert(fc.property(fc.oneof(int, bool), locals, (expr, values) => {
      const expected = evalExpr(expr, {} as ModelState, values);
      expect(compile(expr)(values.a, values.b, values.p), emitExpr(expr, scope)).toBe(expected);
    }), { numRuns: 1000 });
  });
});
