/**
 * Expressions: name resolution, type checking and, in operation code, the lowering of every
 * shared-variable mention into a `read` step.
 *
 * What a name may mean depends on where the expression stands (`ExprPlace`):
 *
 * | place     | locals, op params | shared vars        | ghosts | spec params | waiters(q) |
 * |-----------|-------------------|--------------------|--------|-------------|------------|
 * | init      |                   |                    |        | yes         |            |
 * | code      | yes               | read into a local  |        | yes         |            |
 * | ghost     | yes               | latest value       | yes    | yes         | yes        |
 * | invariant |                   | latest value       | yes    | yes         | yes        |
 * | client    | registers         |                    |        |             |            |
 *
 * Shared variables win over spec parameters of the same name (`min_nr`).
 */
import type { Expr as AstExpr, Span } from './ast.ts';
import { misplaced, typeMismatch, unknownName, wrongArity } from './errors.ts';
import type { Symbols } from './symbols.ts';
import type { BinOp, Expr, ValueType } from '../ir.ts';

/** Where an expression stands, with what that place can see. */
export type ExprPlace =
  | { kind: 'init' }
  | {
      kind: 'code';
      /** The type of a local or operation parameter, if `name` is one. */
      local: (name: string) => ValueType | undefined;
      /** Emits a `read` of shared variable `name` and returns the fresh local it reads into. */
      read: (name: string, span: Span) => string;
    }
  | { kind: 'ghost'; local: (name: string) => ValueType | undefined }
  | { kind: 'invariant' }
  | { kind: 'client'; registers: ReadonlySet<string> };

/** A resolved expression and its type. */
export interface Typed {
  expr: Expr;
  type: ValueType;
}

const arithmetic = new Set(['+', '-', '*']);
const ordering = new Set(['<', '<=', '>', '>=']);
const equality = new Set(['==', '!=']);

/**
 * Resolves `ast` at `place`. Shared variables in `code` are read left to right, each mention
 * once, through `place.read`.
 *
 * @throws SpecError `unknown-name`, `misplaced`, `type-mismatch` or `wrong-arity`.
 */
export function resolveExpr(sym: Symbols, place: ExprPlace, ast: AstExpr): Typed {
  switch (ast.kind) {
    case 'num':
      return { expr: { k: 'num', value: ast.value }, type: 'int' };
    case 'bool':
      return { expr: { k: 'bool', value: ast.value }, type: 'bool' };
    case 'null':
      return { expr: { k: 'null' }, type: 'elem' };
    case 'name':
      return resolveName(sym, place, ast.name, ast.span);
    case 'waiters': {
      if (place.kind !== 'ghost' && place.kind !== 'invariant') {
        throw misplaced(
          sym.src,
          ast.span,
          '`waiters(...)` is bookkeeping, not something the pool code can read',
          'use it in invariants and ghost updates only',
        );
      }
      const queue = ast.queue.text;
      if (!sym.queues.has(queue)) {
        throw unknownName(sym.src, ast.queue.span, 'wait queue', queue, [...sym.queues.keys()]);
      }
      return { expr: { k: 'waiters', queue }, type: 'int' };
    }
    case 'not': {
      const arg = resolveTyped(sym, place, ast.arg, 'bool', 'the operand of `!`');
      return { expr: { k: 'not', arg }, type: 'bool' };
    }
    case 'neg': {
      const arg = resolveTyped(sym, place, ast.arg, 'int', 'the operand of `-`');
      if (arg.k === 'num') return { expr: { k: 'num', value: -arg.value }, type: 'int' };
      const zero: Expr = { k: 'num', value: 0 };
      return { expr: { k: 'bin', op: '-', left: zero, right: arg }, type: 'int' };
    }
    case 'bin':
      return resolveBin(sym, place, ast);
    case 'call': {
      const fn = ast.fn.text;
      if (fn !== 'min' && fn !== 'max') {
        throw unknownName(sym.src, ast.fn.span, 'function', fn, ['min', 'max']);
      }
      if (ast.args.length < 2) throw wrongArity(sym.src, ast.span, fn, 2, ast.args.length);
      const what = `an argument of \`${fn}\``;
      const args = ast.args.map((a) => resolveTyped(sym, place, a, 'int', what));
      return { expr: { k: 'call', fn, args }, type: 'int' };
    }
  }
}

/** Resolves `ast` and requires it to have `type`. */
export function resolveTyped(
  sym: Symbols,
  place: ExprPlace,
  ast: AstExpr,
  type: ValueType,
  what: string,
): Expr {
  return expect(sym, resolveExpr(sym, place, ast), type, ast.span, what).expr;
}

function expect(sym: Symbols, typed: Typed, type: ValueType, span: Span, what: string): Typed {
  if (typed.type !== type) {
    throw typeMismatch(sym.src, span, describeType(type), describeType(typed.type), what);
  }
  return typed;
}

/** The type's name with an article, for messages. */
export function describeType(type: ValueType | 'void'): string {
  return type === 'int' ? 'an int' : type === 'void' ? 'nothing' : `a ${type}`;
}

function resolveBin(sym: Symbols, place: ExprPlace, ast: Extract<AstExpr, { kind: 'bin' }>): Typed {
  const op = ast.op as BinOp;
  const left = resolveExpr(sym, place, ast.left);
  const right = resolveExpr(sym, place, ast.right);
  const what = (side: string) => `the ${side} operand of \`${op}\``;
  if (arithmetic.has(op) || ordering.has(op)) {
    expect(sym, left, 'int', ast.left.span, what('left'));
    expect(sym, right, 'int', ast.right.span, what('right'));
  } else if (equality.has(op)) {
    // Scenario registers hold element handles as numbers, so client code may compare them
    // with integers; the pool's own code keeps elements and integers apart.
    if (place.kind !== 'client') expect(sym, right, left.type, ast.right.span, what('right'));
  } else {
    expect(sym, left, 'bool', ast.left.span, what('left'));
    expect(sym, right, 'bool', ast.right.span, what('right'));
  }
  const type: ValueType = arithmetic.has(op) ? 'int' : 'bool';
  return { expr: { k: 'bin', op, left: left.expr, right: right.expr }, type };
}

function resolveName(sym: Symbols, place: ExprPlace, name: string, span: Span): Typed {
  switch (place.kind) {
    case 'init':
      if (sym.params.has(name)) return { expr: { k: 'param', name }, type: 'int' };
      throw unknownName(sym.src, span, 'parameter', name, [...sym.params.keys()]);
    case 'client':
      if (place.registers.has(name)) return { expr: { k: 'local', name }, type: 'int' };
      throw unknownName(sym.src, span, 'register', name, [...place.registers]);
    case 'code': {
      const local = place.local(name);
      if (local !== undefined) return { expr: { k: 'local', name }, type: local };
      if (sym.vars.has(name)) {
        return { expr: { k: 'local', name: place.read(name, span) }, type: 'int' };
      }
      if (sym.params.has(name)) return { expr: { k: 'param', name }, type: 'int' };
      if (sym.ghosts.has(name)) {
        throw misplaced(
          sym.src,
          span,
          `ghost \`${name}\` is bookkeeping; the pool's code cannot read it`,
          'use ghosts in `ghost` updates and invariants only',
        );
      }
      throw unknownName(sym.src, span, 'name', name, [
        ...sym.vars.keys(),
        ...sym.params.keys(),
      ]);
    }
    case 'ghost':
    case 'invariant': {
      const local = place.kind === 'ghost' ? place.local(name) : undefined;
      if (local !== undefined) return { expr: { k: 'local', name }, type: local };
      if (sym.vars.has(name)) return { expr: { k: 'shared', name }, type: 'int' };
      if (sym.ghosts.has(name)) return { expr: { k: 'ghost', name }, type: 'int' };
      if (sym.params.has(name)) return { expr: { k: 'param', name }, type: 'int' };
      throw unknownName(sym.src, span, 'name', name, [
        ...sym.vars.keys(),
        ...sym.ghosts.keys(),
        ...sym.params.keys(),
      ]);
    }
  }
}
