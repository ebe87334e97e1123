/**
 * The verdict of a litmus test under the views memory model (`src/memory/views.ts`).
 *
 * `enumerate` explores every interleaving of the processes' shared-memory steps and every
 * message each read may return, collects the final states and judges the `exists` clause on
 * them, as herd7 does for an axiomatic model. States are memoized on a canonical key, so a
 * test with a few processes of a few instructions takes milliseconds.
 *
 * Register arithmetic, branches, `smp_rmb` and `smp_wmb` only touch the running process's own
 * state, so they run eagerly after each step instead of being interleaved: the outcomes are
 * the same and the exploration is smaller. `spin_lock` blocks while another process holds the
 * lock; a state where some process can never proceed is a malformed test and throws.
 */

import { outOfOrderCycle } from '../memory/limits.ts';
import {
  canLock,
  createMemory,
  fence,
  finalValues,
  lock,
  memoryKey,
  read,
  readChoices,
  unlock,
  write,
  type MemoryState,
} from '../memory/views.ts';
import { evalBin } from './lexpr.ts';
import type { LCond, LExpr, LInstr, LitmusTest, Verdict } from './types.ts';

/** One final state: every process's registers and every shared variable's final value. */
export interface Outcome {
  /** Per process, register name to value. */
  regs: Record<string, number>[];
  /** Shared variable name to its final value (the last write in coherence order). */
  vars: Record<string, number>;
}

/** What `enumerate` found. */
export interface Enumeration {
  verdict: Verdict;
  /** Every reachable final state, each once, in a stable order. */
  outcomes: Outcome[];
  /** Complete executions explored: interleavings of shared-memory steps times read choices. */
  executions: number;
  /** Distinct states visited. */
  states: number;
  /**
   * Why the verdict may be wrong, or `null`: a cycle the model cannot produce and the kernel
   * memory model may allow (see `verdictLimitNote`). When set, only `Sometimes` is reliable.
   */
  limitedBy: string | null;
}

/** One line to print next to verdicts: what the model behind them cannot show. */
export const verdictLimitNote =
  'Verdicts come from an operational views model in which a read returns only a write ' +
  'that has already executed, so load-buffering (LB) outcomes, which the kernel memory ' +
  'model allows, never appear.';

type Op =
  | Exclude<LInstr, { k: 'if' }>
  | { k: 'branch'; cond: LExpr; otherwise: number }
  | { k: 'jump'; to: number };

interface Config {
  readonly pcs: readonly number[];
  readonly regs: readonly (readonly number[])[];
  readonly mem: MemoryState;
}

interface Proc {
  readonly ops: readonly Op[];
  readonly regIndex: ReadonlyMap<string, number>;
}

/** Explores `test` exhaustively and judges its `exists` clause on every final state. */
export function enumerate(test: LitmusTest): Enumeration {
  const procs = test.procs.map((proc, p) => compileProc(test, proc.regs, proc.body, p));
  const explorer = new Explorer(test, procs);
  const start: Config = {
    pcs: procs.map(() => 0),
    regs: test.procs.map((proc) => proc.regs.map(() => 0)),
    mem: createMemory({ vars: test.vars, locks: test.locks, threads: test.procs.length }),
  };
  const executions = explorer.count(procs.reduce((c, _, p) => explorer.settle(c, p), start));

  const outcomes = [...explorer.outcomes.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, outcome]) => outcome);
  const satisfied = outcomes.filter((o) => evalCond(test.exists, o)).length;
  const verdict: Verdict =
    satisfied === 0 ? 'Never' : satisfied === outcomes.length ? 'Always' : 'Sometimes';
  return {
    verdict,
    outcomes,
    executions,
    states: explorer.memo.size,
    limitedBy: outOfOrderCycle(test),
  };
}

/** Whether the final state `final` satisfies `cond` (an `exists` clause). */
export function evalCond(cond: LCond, final: Outcome): boolean {
  switch (cond.k) {
    case 'reg': {
      const value = final.regs[cond.proc]?.[cond.reg];
      if (value === undefined) throw new Error(`exists names ${cond.proc}:${cond.reg}, unknown`);
      return value === cond.value;
    }
    case 'var': {
      const value = final.vars[cond.var];
      if (value === undefined) throw new Error(`exists names ${cond.var}, not a variable`);
      return value === cond.value;
    }
    case 'and':
      return cond.args.every((arg) => evalCond(arg, final));
    case 'or':
      return cond.args.some((arg) => evalCond(arg, final));
    case 'not':
      return !evalCond(cond.arg, final);
  }
}

class Explorer {
  readonly memo = new Map<string, number>();
  readonly outcomes = new Map<string, Outcome>();

  constructor(
    private readonly test: LitmusTest,
    private readonly procs: readonly Proc[],
  ) {}

  /** The number of complete executions from `config`, recording each final state. */
  count(config: Config): number {
    const key = configKey(config);
    const known = this.memo.get(key);
    if (known !== undefined) return known;

    if (config.pcs.every((pc, p) => pc >= this.procs[p].ops.length)) {
      this.record(config);
      this.memo.set(key, 1);
      return 1;
    }
    let total = 0;
    let stepped = false;
    for (let p = 0; p < this.procs.length; p++) {
      for (const next of this.successors(config, p)) {
        stepped = true;
        total += this.count(this.settle(next, p));
      }
    }
    if (!stepped) throw new Error(this.deadlock(config));
    this.memo.set(key, total);
    return total;
  }

  /** Runs `p`'s process-local instructions until its next shared-memory step. */
  settle(config: Config, p: number): Config {
    let current = config;
    for (;;) {
      const op = this.procs[p].ops[current.pcs[p]];
      if (op === undefined) return current;
      switch (op.k) {
        case 'assign': {
          const value = this.eval(current, p, op.expr);
          current = advance(current, p, current.mem, this.reg(p, op.reg), value);
          break;
        }
        case 'branch': {
          const taken = this.eval(current, p, op.cond) !== 0;
          current = jump(current, p, taken ? current.pcs[p] + 1 : op.otherwise);
          break;
        }
        case 'jump':
          current = jump(current, p, op.to);
          break;
        case 'fence':
          if (op.fence === 'mb') return current;
          current = advance(current, p, fence(current.mem, p, op.fence));
          break;
        default:
          return current;
      }
    }
  }

  private successors(config: Config, p: number): Config[] {
    const op = this.procs[p].ops[config.pcs[p]];
    if (op === undefined) return [];
    const mem = config.mem;
    switch (op.k) {
      case 'read':
        return readChoices(mem, p, op.var, op.mode).map((choice) => {
          const after = read(mem, p, op.var, choice.timestamp, op.mode);
          return advance(config, p, after, this.reg(p, op.reg), choice.value);
        });
      case 'write': {
        const value = this.eval(config, p, op.expr);
        return [advance(config, p, write(mem, p, op.var, value, op.mode))];
      }
      case 'fence':
        return [advance(config, p, fence(mem, p, op.fence))];
      case 'lock':
        return canLock(mem, op.lock) ? [advance(config, p, lock(mem, p, op.lock))] : [];
      case 'unlock':
        return [advance(config, p, unlock(mem, p, op.lock))];
      default:
        throw new Error(`P${p}: ${op.k} should have run in settle`);
    }
  }

  private eval(config: Config, p: number, expr: LExpr): number {
    return evalExpr(expr, (name) => config.regs[p][this.reg(p, name)]);
  }

  private reg(p: number, name: string): number {
    return this.procs[p].regIndex.get(name)!;
  }

  private record(config: Config): void {
    const outcome: Outcome = {
      regs: this.test.procs.map((proc, p) =>
        Object.fromEntries(proc.regs.map((reg, r) => [reg, config.regs[p][r]])),
      ),
      vars: finalValues(config.mem),
    };
    this.outcomes.set(JSON.stringify(outcome), outcome);
  }

  private deadlock(config: Config): string {
    const stuck = this.procs.flatMap((proc, p) => {
      const op = proc.ops[config.pcs[p]];
      if (op?.k !== 'lock') return [];
      const holder = config.mem.locks[this.test.locks.indexOf(op.lock)].holder;
      return [`P${p} waits for ${op.lock}, held by P${holder}`];
    });
    return `${this.test.name}: deadlock: ${stuck.join('; ')}`;
  }
}

/** Moves `p` past its current op, into `mem`, optionally setting register number `reg`. */
function advance(config: Config, p: number, mem: MemoryState, reg?: number, value = 0): Config {
  const pcs = config.pcs.slice();
  pcs[p] += 1;
  if (reg === undefined) return { ...config, pcs, mem };
  const regs = config.regs.slice();
  const own = regs[p].slice();
  own[reg] = value;
  regs[p] = own;
  return { pcs, mem, regs };
}

function jump(config: Config, p: number, to: number): Config {
  const pcs = config.pcs.slice();
  pcs[p] = to;
  return { ...config, pcs };
}

function configKey(config: Config): string {
  const regs = config.regs.map((r) => r.join(',')).join(';');
  return `${config.pcs.join(',')}#${regs}#${memoryKey(config.mem)}`;
}

/** Evaluates register arithmetic; comparisons and logic give 1 or 0, as in C. */
function evalExpr(expr: LExpr, reg: (name: string) => number): number {
  switch (expr.k) {
    case 'num':
      return expr.value;
    case 'reg':
      return reg(expr.name);
    case 'not':
      return evalExpr(expr.arg, reg) === 0 ? 1 : 0;
    case 'bin':
      return evalBin(expr.op, evalExpr(expr.left, reg), evalExpr(expr.right, reg));
  }
}

/**
 * Flattens a process body into straight-line ops with branches and jumps, and checks that
 * every register, variable and lock it names is declared.
 */
function compileProc(test: LitmusTest, regs: string[], body: LInstr[], p: number): Proc {
  const regIndex = new Map(regs.map((reg, r) => [reg, r]));
  const vars = new Set(test.vars.map((v) => v.name));
  const locks = new Set(test.locks);
  const ops: Op[] = [];
  const checkReg = (name: string): void => {
    if (!regIndex.has(name)) throw new Error(`${test.name}: P${p} uses undeclared ${name}`);
  };
  const checkExpr = (expr: LExpr): void => {
    if (expr.k === 'reg') checkReg(expr.name);
    else if (expr.k === 'bin') [expr.left, expr.right].forEach(checkExpr);
    else if (expr.k === 'not') checkExpr(expr.arg);
  };
  const checkName = (set: Set<string>, name: string, what: string): void => {
    if (!set.has(name)) throw new Error(`${test.name}: P${p} uses undeclared ${what} ${name}`);
  };
  const emit = (instrs: LInstr[]): void => {
    for (const instr of instrs) {
      switch (instr.k) {
        case 'if': {
          checkExpr(instr.cond);
          const branch = { k: 'branch' as const, cond: instr.cond, otherwise: -1 };
          ops.push(branch);
          emit(instr.then);
          const skip = { k: 'jump' as const, to: -1 };
          ops.push(skip);
          branch.otherwise = ops.length;
          emit(instr.else);
          skip.to = ops.length;
          break;
        }
        case 'read':
          checkReg(instr.reg);
          checkName(vars, instr.var, 'variable');
          ops.push({ ...instr });
          break;
        case 'write':
          checkExpr(instr.expr);
          checkName(vars, instr.var, 'variable');
          ops.push({ ...instr });
          break;
        case 'assign':
          checkReg(instr.reg);
          checkExpr(instr.expr);
          ops.push({ ...instr });
          break;
        case 'lock':
        case 'unlock':
          checkName(locks, instr.lock, 'lock');
          ops.push({ ...instr });
          break;
        case 'fence':
          ops.push({ ...instr });
          break;
      }
    }
  };
  emit(body);
  return { ops, regIndex };
}
