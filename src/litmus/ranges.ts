/**
 * Comparisons herd7 can read. The C printer accepts only `==` and `!=` in conditions and only
 * `+` and `-` in values (`c.ts` says why), while the spec's code compares with `<` and `<=`
 * (`curr_nr < min_nr`). This pass computes, for every register at every point of a litmus
 * program, the values it can hold (an abstract interpretation over small sets of integers,
 * widened to intervals where they keep growing), and rewrites each comparison into `==`/`!=`
 * tests that agree with it on those values: `r1 < r2` with `r1` in {1, 2} and `r2` in
 * {1, 2} becomes `r1 == 1 && r2 == 2`. A condition that is constant on the values it can see
 * is resolved, and the branch that cannot run is dropped.
 *
 * The rewrite is exact on every reachable state, so the program's outcomes do not change.
 * Where the values are not known well enough (an unbounded interval compared with another
 * register), it throws and says which comparison.
 */

import {
  evalLExpr, isBoolean, isComparison, lbin, lnot, num, reg, regsOf, showLExpr,
} from './lexpr.ts';
import type { LExpr, LInstr, LitmusTest } from './types.ts';

/** A register's or variable's possible values: a small set, or an interval. */
type Values =
  | { kind: 'set'; values: readonly number[] }
  | { kind: 'range'; lo: number; hi: number };

/** Register values on a path; `null` when the path cannot run. */
type Env = ReadonlyMap<string, Values> | null;

const MAX_SET = 16;
const MAX_COMBINATIONS = 4096;
const WIDEN_AFTER = 8;
const MAX_ROUNDS = 40;

/** `test` with every comparison in a form herd7's C front end reads (see the module comment). */
export function lowerComparisons(test: LitmusTest): LitmusTest {
  const vars = variableValues(test);
  return {
    ...test,
    procs: test.procs.map((proc) => ({
      ...proc,
      body: rewrite(proc.body, startEnv(proc.regs), vars, test.name).instrs,
    })),
  };
}

/** The values each shared variable can hold over all executions (a fixpoint). */
function variableValues(test: LitmusTest): Map<string, Values> {
  const vars = new Map(test.vars.map((v): [string, Values] => [v.name, set([v.init])]));
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const before = new Map(vars);
    for (const proc of test.procs) analyse(proc.body, startEnv(proc.regs), vars);
    const changed = [...vars].filter(([name, v]) => !same(v, before.get(name)!));
    if (changed.length === 0) return vars;
    if (round >= WIDEN_AFTER) {
      for (const [name, v] of changed) vars.set(name, widen(before.get(name)!, v));
    }
  }
  throw new Error(`litmus: ${test.name}: the values of its variables do not settle`);
}

function startEnv(regs: readonly string[]): Env {
  return new Map(regs.map((r) => [r, set([0])]));
}

function analyse(body: readonly LInstr[], env: Env, vars: Map<string, Values>): Env {
  let current = env;
  for (const instr of body) {
    if (current === null) return null;
    switch (instr.k) {
      case 'read':
        current = withReg(current, instr.reg, vars.get(instr.var) ?? set([0]));
        break;
      case 'write':
        vars.set(instr.var, join(vars.get(instr.var) ?? set([0]), valuesOf(instr.expr, current)));
        break;
      case 'assign':
        current = withReg(current, instr.reg, valuesOf(instr.expr, current));
        break;
      case 'if': {
        const [onTrue, onFalse] = split(instr.cond, current);
        current = joinEnv(analyse(instr.then, onTrue, vars), analyse(instr.else, onFalse, vars));
        break;
      }
      default:
        break;
    }
  }
  return current;
}

function rewrite(body: readonly LInstr[], env: Env, vars: ReadonlyMap<string, Values>,
  test: string): { instrs: LInstr[]; env: Env } {
  const instrs: LInstr[] = [];
  let current = env;
  for (const instr of body) {
    if (current === null) break;
    switch (instr.k) {
      case 'read':
        instrs.push(instr);
        current = withReg(current, instr.reg, vars.get(instr.var) ?? set([0]));
        break;
      case 'assign':
      case 'write': {
        const now = current;
        const put = (expr: LExpr): LInstr => ({ ...instr, expr });
        instrs.push(...(printableValue(instr.expr) ? [instr]
          : flagValue(instr.expr, now, test, put)));
        if (instr.k === 'assign') current = withReg(now, instr.reg, valuesOf(instr.expr, now));
        break;
      }
      case 'if': {
        const [onTrue, onFalse] = split(instr.cond, current);
        const then = rewrite(instr.then, onTrue, vars, test);
        const otherwise = rewrite(instr.else, onFalse, vars, test);
        if (onFalse === null) instrs.push(...then.instrs);
        else if (onTrue === null) instrs.push(...otherwise.instrs);
        else {
          const cond = lowerCond(instr.cond, current, test);
          instrs.push({ k: 'if', cond, then: then.instrs, else: otherwise.instrs });
        }
        current = joinEnv(then.env, otherwise.env);
        break;
      }
      default:
        instrs.push(instr);
    }
  }
  return { instrs, env: current };
}

/** A 0/1 value that is not printable as a value becomes `if (cond) 1 else 0`. */
function flagValue(expr: LExpr, env: ReadonlyMap<string, Values>, test: string,
  put: (e: LExpr) => LInstr): LInstr[] {
  if (!isBoolean(expr)) {
    throw new Error(`litmus: ${test}: ${showLExpr(expr)} has no value herd7's C can print`);
  }
  const cond = lowerCond(expr, env, test);
  if (cond.k === 'num') return [put(cond)];
  return [{ k: 'if', cond, then: [put(num(1))], else: [put(num(0))] }];
}

// ---- conditions ----------------------------------------------------------------------------

function lowerCond(cond: LExpr, env: ReadonlyMap<string, Values>, test: string): LExpr {
  if (printableCond(cond)) return cond;
  if (cond.k === 'not') return lnot(lowerCond(cond.arg, env, test));
  if (cond.k === 'bin' && (cond.op === '&&' || cond.op === '||')) {
    return lbin(cond.op, lowerCond(cond.left, env, test), lowerCond(cond.right, env, test));
  }
  const regs = regsOf(cond);
  const domains = regs.map((r) => env.get(r));
  if (domains.every((d) => d?.kind === 'set') && combinations(domains) <= MAX_COMBINATIONS) {
    const sets = domains.map((d) => (d as { values: readonly number[] }).values);
    return tabulate(regs, sets, (values) =>
      evalLExpr(cond, new Map(regs.map((r, i) => [r, values[i]]))) !== 0);
  }
  const interval = againstConstant(cond, env);
  if (interval) return interval;
  throw new Error(`litmus: ${test}: cannot write ${showLExpr(cond)} with == and !=: the values ` +
    `of ${regs.join(', ')} are not known well enough`);
}

/**
 * A formula over `==`/`!=` that is true exactly for the tuples (one value per register, from
 * `sets`) where `truth` holds: split on the first register's values.
 */
function tabulate(regs: readonly string[], sets: readonly (readonly number[])[],
  truth: (values: number[]) => boolean, prefix: number[] = []): LExpr {
  const i = prefix.length;
  if (i === regs.length) return num(truth(prefix) ? 1 : 0);
  const x = reg(regs[i]);
  const cases = sets[i].map((v) => ({ v, f: tabulate(regs, sets, truth, [...prefix, v]) }));
  const always = cases.filter((c) => c.f.k === 'num' && c.f.value !== 0).map((c) => c.v);
  const mixed = cases.filter((c) => c.f.k !== 'num');
  let formula = member(x, always, sets[i]);
  for (const c of mixed) {
    formula = lbin('||', formula, lbin('&&', lbin('==', x, num(c.v)), c.f));
  }
  return formula;
}

/** `x` is one of `chosen` (out of `all`), written the shorter way. */
function member(x: LExpr, chosen: readonly number[], all: readonly number[]): LExpr {
  if (chosen.length === all.length) return num(1);
  const others = all.filter((v) => !chosen.includes(v));
  if (chosen.length <= others.length) {
    return chosen.reduce((f, v) => lbin('||', f, lbin('==', x, num(v))), num(0));
  }
  return others.reduce((f, v) => lbin('&&', f, lbin('!=', x, num(v))), num(1));
}

/** `r op k` for a register `r` known as an interval, as `==`/`!=` tests, if short enough. */
function againstConstant(cond: LExpr, env: ReadonlyMap<string, Values>): LExpr | null {
  const parts = intervalSides(cond, env);
  if (parts === null) return null;
  const { r, onTrue, onFalse } = parts;
  if (onTrue === null) return num(0);
  if (onFalse === null) return num(1);
  const points = ([lo, hi]: [number, number]): number[] | null =>
    hi - lo < MAX_SET ? Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) : null;
  const trues = points(onTrue);
  if (trues) return trues.reduce((f, v) => lbin('||', f, lbin('==', reg(r), num(v))), num(0));
  const falses = points(onFalse);
  if (falses) return falses.reduce((f, v) => lbin('&&', f, lbin('!=', reg(r), num(v))), num(1));
  return null;
}

/**
 * For `r op k` (or `k op r`) with `r` an interval and `op` an order: the sub-intervals where
 * it holds and where it does not, `null` for an empty one.
 */
function intervalSides(cond: LExpr, env: ReadonlyMap<string, Values>):
  { r: string; onTrue: [number, number] | null; onFalse: [number, number] | null } | null {
  const flipped = { '<': '>', '>': '<', '<=': '>=', '>=': '<=' } as const;
  if (cond.k !== 'bin' || !(cond.op in flipped)) return null;
  let r: string;
  let k: number;
  let op = cond.op as keyof typeof flipped;
  if (cond.left.k === 'reg' && cond.right.k === 'num') [r, k] = [cond.left.name, cond.right.value];
  else if (cond.left.k === 'num' && cond.right.k === 'reg') {
    [r, k, op] = [cond.right.name, cond.left.value, flipped[op]];
  } else return null;
  const values = env.get(r);
  if (values?.kind !== 'range') return null;
  const { lo, hi } = values;
  // `r < k` is `r <= k - 1`, and `r > k` is `r >= k + 1`.
  const atMost = op === '<' ? k - 1 : op === '<=' ? k : null;
  const atLeast = op === '>' ? k + 1 : op === '>=' ? k : null;
  const part = (a: number, b: number): [number, number] | null => (a <= b ? [a, b] : null);
  if (atMost !== null) {
    return { r, onTrue: part(lo, Math.min(hi, atMost)), onFalse: part(Math.max(lo, atMost + 1), hi) };
  }
  const least = atLeast as number;
  return { r, onTrue: part(Math.max(lo, least), hi), onFalse: part(lo, Math.min(hi, least - 1)) };
}

function printableValue(e: LExpr): boolean {
  if (e.k === 'num' || e.k === 'reg') return true;
  return e.k === 'bin' && (e.op === '+' || e.op === '-') &&
    printableValue(e.left) && printableValue(e.right);
}

function printableCond(e: LExpr): boolean {
  if (e.k === 'not') return printableCond(e.arg);
  if (e.k !== 'bin') return printableValue(e);
  if (e.op === '&&' || e.op === '||') return printableCond(e.left) && printableCond(e.right);
  if (e.op === '==' || e.op === '!=') return printableValue(e.left) && printableValue(e.right);
  return printableValue(e);
}

// ---- abstract values -----------------------------------------------------------------------

function set(values: readonly number[]): Values {
  return { kind: 'set', values: [...new Set(values)].sort((a, b) => a - b) };
}

function bounds(v: Values): [number, number] {
  return v.kind === 'range' ? [v.lo, v.hi] : [v.values[0], v.values[v.values.length - 1]];
}

function join(a: Values, b: Values): Values {
  if (a.kind === 'set' && b.kind === 'set') {
    const union = set([...a.values, ...b.values]);
    if (union.kind === 'set' && union.values.length <= MAX_SET) return union;
  }
  const [alo, ahi] = bounds(a);
  const [blo, bhi] = bounds(b);
  return { kind: 'range', lo: Math.min(alo, blo), hi: Math.max(ahi, bhi) };
}

/** Lets a value that keeps growing grow to infinity at once. */
function widen(before: Values, after: Values): Values {
  const [blo, bhi] = bounds(before);
  const [alo, ahi] = bounds(after);
  return {
    kind: 'range',
    lo: alo < blo ? Number.NEGATIVE_INFINITY : alo,
    hi: ahi > bhi ? Number.POSITIVE_INFINITY : ahi,
  };
}

function same(a: Values, b: Values): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function combinations(domains: readonly (Values | undefined)[]): number {
  return domains.reduce((n, d) => n * (d?.kind === 'set' ? d.values.length : Infinity), 1);
}

function withReg(env: ReadonlyMap<string, Values>, name: string, v: Values): Env {
  return new Map([...env, [name, v]]);
}

function joinEnv(a: Env, b: Env): Env {
  if (a === null) return b;
  if (b === null) return a;
  return new Map([...a].map(([name, v]) => [name, b.has(name) ? join(v, b.get(name)!) : v]));
}

/** The values `e` can take in `env`. */
function valuesOf(e: LExpr, env: ReadonlyMap<string, Values>): Values {
  const regs = regsOf(e);
  const domains = regs.map((r) => env.get(r) ?? set([0]));
  if (combinations(domains) <= MAX_COMBINATIONS) {
    const out: number[] = [];
    forEachTuple(domains.map((d) => (d as { values: readonly number[] }).values), (values) => {
      out.push(evalLExpr(e, new Map(regs.map((r, i) => [r, values[i]]))));
    });
    const values = set(out);
    return values.kind === 'set' && values.values.length > MAX_SET ? join(values, values) : values;
  }
  return interval(e, env);
}

function interval(e: LExpr, env: ReadonlyMap<string, Values>): Values {
  if (e.k === 'num') return set([e.value]);
  if (e.k === 'reg') {
    const [lo, hi] = bounds(env.get(e.name) ?? set([0]));
    return { kind: 'range', lo, hi };
  }
  if (e.k === 'bin' && (e.op === '+' || e.op === '-')) {
    const [llo, lhi] = bounds(interval(e.left, env));
    const [rlo, rhi] = bounds(interval(e.right, env));
    return e.op === '+'
      ? { kind: 'range', lo: llo + rlo, hi: lhi + rhi }
      : { kind: 'range', lo: llo - rhi, hi: lhi - rlo };
  }
  return set([0, 1]);
}

/** The register values on each side of `if (cond)`; `null` for a side that cannot run. */
function split(cond: LExpr, env: ReadonlyMap<string, Values>): [Env, Env] {
  const regs = regsOf(cond);
  const domains = regs.map((r) => env.get(r) ?? set([0]));
  if (combinations(domains) > MAX_COMBINATIONS) return splitInterval(cond, env);
  const sides: [number[][] | null, number[][] | null] = [null, null];
  forEachTuple(domains.map((d) => (d as { values: readonly number[] }).values), (values) => {
    const side = evalLExpr(cond, new Map(regs.map((r, i) => [r, values[i]]))) !== 0 ? 0 : 1;
    const seen = (sides[side] ??= regs.map(() => []));
    values.forEach((v, i) => seen[i].push(v));
  });
  const narrow = (seen: number[][] | null): Env =>
    seen === null ? null : new Map([...env, ...regs.map((r, i): [string, Values] => [r, set(seen[i])])]);
  return [narrow(sides[0]), narrow(sides[1])];
}

/** `split` for a condition too wide to tabulate: narrows `r op k` intervals, else nothing. */
function splitInterval(cond: LExpr, env: ReadonlyMap<string, Values>): [Env, Env] {
  const parts = intervalSides(cond, env);
  if (parts === null) return [env, env];
  const narrow = (part: [number, number] | null): Env => {
    if (part === null) return null;
    const [lo, hi] = part;
    return new Map([...env, [parts.r, lo === hi ? set([lo]) : { kind: 'range', lo, hi }]]);
  };
  return [narrow(parts.onTrue), narrow(parts.onFalse)];
}

function forEachTuple(sets: readonly (readonly number[])[], visit: (values: number[]) => void,
  prefix: number[] = []): void {
  if (prefix.length === sets.length) {
    visit(prefix);
    return;
  }
  for (const v of sets[prefix.length]) forEachTuple(sets, visit, [...prefix, v]);
}

