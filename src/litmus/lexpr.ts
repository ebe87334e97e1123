/**
 * Register expressions of litmus programs (`LExpr`), built folded: constants are computed at
 * once, and a condition already decided on the path (a *fact*) becomes its value. The litmus
 * compiler partially evaluates the spec's operations with these, so that what it prints
 * depends on shared reads only where the spec's code really does.
 *
 * Values follow C: comparisons and logic give 1 or 0, anything non-zero is true.
 */

import type { LExpr } from './types.ts';

/** A binary operator of `LExpr`. */
export type LBinOp = Extract<LExpr, { k: 'bin' }>['op'];

/** A number. */
export const num = (value: number): LExpr => ({ k: 'num', value });
/** A register. */
export const reg = (name: string): LExpr => ({ k: 'reg', name });

const COMPARISONS: ReadonlySet<LBinOp> = new Set(['==', '!=', '<', '>', '<=', '>=']);
const NEGATED: Readonly<Record<string, LBinOp>> = {
  '==': '!=', '!=': '==', '<': '>=', '>=': '<', '>': '<=', '<=': '>',
};

/** Whether `e` can only be 0 or 1 (a comparison, a logical operator, or the number 0 or 1). */
export function isBoolean(e: LExpr): boolean {
  if (e.k === 'num') return e.value === 0 || e.value === 1;
  if (e.k === 'not') return true;
  return e.k === 'bin' && (COMPARISONS.has(e.op) || e.op === '&&' || e.op === '||');
}

/** Whether `e` is a relational comparison (`<`, `<=`, `>`, `>=`, `==`, `!=`). */
export function isComparison(e: LExpr): e is Extract<LExpr, { k: 'bin' }> {
  return e.k === 'bin' && COMPARISONS.has(e.op);
}

/** `e` as a truth value: `e` itself when it is one already, else `e != 0`. */
export function truthy(e: LExpr): LExpr {
  return isBoolean(e) ? e : lbin('!=', e, num(0));
}

/** `!e`, folded: comparisons flip, double negations cancel. */
export function lnot(e: LExpr): LExpr {
  if (e.k === 'num') return num(e.value === 0 ? 1 : 0);
  if (e.k === 'not') return truthy(e.arg);
  if (e.k === 'bin' && COMPARISONS.has(e.op)) return { ...e, op: NEGATED[e.op] };
  return { k: 'not', arg: e };
}

/** `left op right`, folded where a side is known. */
export function lbin(op: LBinOp, left: LExpr, right: LExpr): LExpr {
  if (left.k === 'num' && right.k === 'num') return num(evalBin(op, left.value, right.value));
  if (op === '&&' || op === '||') return logic(op, left, right);
  if ((op === '+' || op === '-') && right.k === 'num' && right.value === 0) return left;
  if (op === '+' && left.k === 'num' && left.value === 0) return right;
  if (op === '==' || op === '!=') {
    const flag = isBoolean(left) && right.k === 'num' ? left : null;
    if (flag && right.k === 'num') return compareFlag(op, flag, right.value);
  }
  return { k: 'bin', op, left, right };
}

function logic(op: '&&' | '||', left: LExpr, right: LExpr): LExpr {
  const absorbing = op === '&&' ? 0 : 1;
  for (const [known, other] of [[left, right], [right, left]] as const) {
    if (known.k !== 'num') continue;
    const value = known.value === 0 ? 0 : 1;
    return value === absorbing ? num(absorbing) : truthy(other);
  }
  return { k: 'bin', op, left: truthy(left), right: truthy(right) };
}

/** `flag == n` or `flag != n` for a flag that is 0 or 1. */
function compareFlag(op: '==' | '!=', flag: LExpr, n: number): LExpr {
  if (n !== 0 && n !== 1) return num(op === '==' ? 0 : 1);
  const same = (op === '==') === (n === 1);
  return same ? flag : lnot(flag);
}

/** C's value of `l op r`. */
export function evalBin(op: LBinOp, l: number, r: number): number {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '==':
      return Number(l === r);
    case '!=':
      return Number(l !== r);
    case '<':
      return Number(l < r);
    case '>':
      return Number(l > r);
    case '<=':
      return Number(l <= r);
    case '>=':
      return Number(l >= r);
    case '&&':
      return Number(l !== 0 && r !== 0);
    case '||':
      return Number(l !== 0 || r !== 0);
  }
}

/** The value of `e` for register values `regs` (every register it names must be there). */
export function evalLExpr(e: LExpr, regs: ReadonlyMap<string, number>): number {
  switch (e.k) {
    case 'num':
      return e.value;
    case 'reg': {
      const value = regs.get(e.name);
      if (value === undefined) throw new Error(`lexpr: no value for register ${e.name}`);
      return value;
    }
    case 'not':
      return evalLExpr(e.arg, regs) === 0 ? 1 : 0;
    case 'bin':
      return evalBin(e.op, evalLExpr(e.left, regs), evalLExpr(e.right, regs));
  }
}

/** The registers `e` reads, each once, in order of appearance. */
export function regsOf(e: LExpr, into: string[] = []): string[] {
  if (e.k === 'reg' && !into.includes(e.name)) into.push(e.name);
  else if (e.k === 'bin') [e.left, e.right].forEach((side) => regsOf(side, into));
  else if (e.k === 'not') regsOf(e.arg, into);
  return into;
}

/** `e` as text, e.g. `(r1<r2)`; equal texts mean equal expressions. */
export function showLExpr(e: LExpr): string {
  switch (e.k) {
    case 'num':
      return String(e.value);
    case 'reg':
      return e.name;
    case 'not':
      return `!${showLExpr(e.arg)}`;
    case 'bin':
      return `(${showLExpr(e.left)}${e.op}${showLExpr(e.right)})`;
  }
}

/** A decided condition: the proposition `key` is true or false on the current path. */
export interface Fact {
  holds: boolean;
  /** Registers the proposition reads; the fact dies when one of them is assigned again. */
  regs: readonly string[];
}

/** Facts by proposition key. */
export type Facts = ReadonlyMap<string, Fact>;

/**
 * A condition as a canonical proposition and a polarity, so that `a == b`, `b != a` and
 * `!(a != b)` all name one proposition: `eq` for equality, `lt` for order.
 */
function proposition(e: LExpr): { key: string; positive: boolean } {
  if (e.k === 'not') {
    const inner = proposition(e.arg);
    return { key: inner.key, positive: !inner.positive };
  }
  if (e.k === 'bin' && COMPARISONS.has(e.op)) {
    const [l, r] = [showLExpr(e.left), showLExpr(e.right)];
    switch (e.op) {
      case '==':
      case '!=':
        return { key: `eq:${[l, r].sort().join(':')}`, positive: e.op === '==' };
      case '<':
        return { key: `lt:${l}:${r}`, positive: true };
      case '>=':
        return { key: `lt:${l}:${r}`, positive: false };
      case '>':
        return { key: `lt:${r}:${l}`, positive: true };
      case '<=':
        return { key: `lt:${r}:${l}`, positive: false };
    }
  }
  if (isBoolean(e)) return { key: `is:${showLExpr(e)}`, positive: true };
  return { key: `eq:${[showLExpr(e), '0'].sort().join(':')}`, positive: false };
}

/** `facts` extended with `cond` being `holds`; conjunctions and disjunctions are split. */
export function assume(facts: Facts, cond: LExpr, holds: boolean): Facts {
  if (cond.k === 'num') return facts;
  if (cond.k === 'not') return assume(facts, cond.arg, !holds);
  const splits = cond.k === 'bin' && (holds ? cond.op === '&&' : cond.op === '||');
  if (splits && cond.k === 'bin') {
    return assume(assume(facts, cond.left, holds), cond.right, holds);
  }
  const { key, positive } = proposition(cond);
  const out = new Map(facts);
  out.set(key, { holds: positive === holds, regs: regsOf(cond) });
  return out;
}

/** `e` with every sub-condition that `facts` decide replaced by its value, folded again. */
export function refine(e: LExpr, facts: Facts): LExpr {
  if (facts.size === 0) return e;
  const rebuilt =
    e.k === 'bin' ? lbin(e.op, refine(e.left, facts), refine(e.right, facts))
    : e.k === 'not' ? lnot(refine(e.arg, facts))
    : e;
  if (rebuilt.k === 'num' || rebuilt.k === 'reg' || !isBoolean(rebuilt)) return rebuilt;
  const { key, positive } = proposition(rebuilt);
  const fact = facts.get(key);
  return fact ? num(fact.holds === positive ? 1 : 0) : rebuilt;
}

/** `facts` without the ones that read register `name` (which is being assigned again). */
export function forget(facts: Facts, name: string): Facts {
  return new Map([...facts].filter(([, fact]) => !fact.regs.includes(name)));
}
