import type { ClientStmt, Op, Scenario } from '../ir.ts';
import {
  CheckSpecError, compileExpr, type CompiledExpr, type CompiledOp, type Value,
} from './program.ts';

/**
 * What a thread does between operations. In a scenario it runs the scenario's client
 * program (calls, `READ_ONCE`/`WRITE_ONCE` of client variables, `if`); in the exploration of
 * the parameter ranges it picks its next call among every operation and argument the spec
 * allows, or stops.
 */

/** One instruction of a scenario thread's client program. */
export type ClientInstr =
  | { k: 'call'; stmt: ClientStmt; op: CompiledOp; args: CompiledExpr[]; slot: number }
  | { k: 'read'; stmt: ClientStmt; var: string; slot: number }
  | { k: 'write'; stmt: ClientStmt; var: string; expr: CompiledExpr }
  | { k: 'branch'; cond: CompiledExpr; target: number }
  | { k: 'jump'; target: number };

/** A scenario thread, compiled: its instructions and its registers. */
export interface ClientProgram {
  name: string;
  instrs: ClientInstr[];
  regs: string[];
}

/** One call a thread may make next: an operation and its arguments. */
export interface Call {
  op: CompiledOp;
  args: Value[];
}

/** Compiles the threads of `scenario` against the compiled operations. */
export function compileScenario(scenario: Scenario, ops: CompiledOp[]): ClientProgram[] {
  return scenario.threads.map((thread) => {
    const regs: string[] = [];
    collectRegs(thread.body, regs);
    const instrs: ClientInstr[] = [];
    const where = `scenario ${scenario.name}, thread ${thread.name}`;
    emit(thread.body, instrs, regs, ops, where);
    return { name: thread.name, instrs, regs };
  });
}

function collectRegs(body: ClientStmt[], regs: string[]): void {
  for (const st of body) {
    if ((st.k === 'call' && st.into !== undefined) || st.k === 'read') {
      const name = st.k === 'read' ? st.into : st.into!;
      if (!regs.includes(name)) regs.push(name);
    }
    if (st.k === 'if') {
      collectRegs(st.then, regs);
      collectRegs(st.else, regs);
    }
  }
}

function emit(body: ClientStmt[], out: ClientInstr[], regs: string[], ops: CompiledOp[],
  where: string): void {
  for (const st of body) {
    switch (st.k) {
      case 'call': {
        const op = ops.find((o) => o.op.name === st.op);
        if (!op) throw new CheckSpecError(`${where}: no operation '${st.op}'`);
        const args = st.args.map((a) => compileExpr(a, regs, where));
        out.push({ k: 'call', stmt: st, op, args, slot: st.into ? regs.indexOf(st.into) : -1 });
        break;
      }
      case 'read':
        out.push({ k: 'read', stmt: st, var: st.var, slot: regs.indexOf(st.into) });
        break;
      case 'write':
        out.push({ k: 'write', stmt: st, var: st.var, expr: compileExpr(st.expr, regs, where) });
        break;
      case 'if': {
        const cond = compileExpr(st.cond, regs, where);
        const branch = { k: 'branch' as const, cond, target: -1 };
        out.push(branch);
        emit(st.then, out, regs, ops, where);
        if (st.else.length === 0) {
          branch.target = out.length;
          break;
        }
        const skip = { k: 'jump' as const, target: -1 };
        out.push(skip);
        branch.target = out.length;
        emit(st.else, out, regs, ops, where);
        skip.target = out.length;
        break;
      }
    }
  }
}

/** A register's value as a litmus outcome sees it: null is 0, booleans are 0/1. */
export function regValue(v: Value): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

/** A client value passed as an argument of type `type`: 0 stands for a null element. */
export function argValue(v: Value, type: Op['params'][number]['type']): Value {
  if (type === 'elem') return v === 0 || v === false ? null : v;
  return v;
}

/**
 * The operations a thread may call in the exploration of the parameter ranges, with every
 * argument the spec allows: `bool` both ways, `elem` each element the thread holds and
 * null, `int` every value of `intRange`. `create` and `destroy` are not among them: create
 * runs before the threads start, destroy after they have all stopped.
 */
export function callChoices(ops: CompiledOp[], held: readonly Value[],
  intRange: readonly number[]): Call[] {
  const calls: Call[] = [];
  for (const op of ops) {
    if (isExclusive(op.op)) continue;
    let argLists: Value[][] = [[]];
    for (const p of op.op.params) {
      const domain: Value[] = p.type === 'bool' ? [false, true]
        : p.type === 'elem' ? [...held, null] : [...intRange];
      argLists = argLists.flatMap((list) => domain.map((v) => [...list, v]));
    }
    for (const args of argLists) calls.push({ op, args });
  }
  return calls;
}

/** Whether `op` runs alone (create, destroy) rather than among the threads. */
export function isExclusive(op: Op): boolean {
  return op.exclusive ?? (op.name === 'create' || op.name === 'destroy');
}

/** A call's arguments printed as the spec writes them: `alloc(may_wait=true)`. */
export function formatCall(op: Op, args: readonly Value[]): string {
  const parts = op.params.map((p, i) => `${p.name}=${formatValue(args[i])}`);
  return `${op.name}(${parts.join(', ')})`;
}

/** A value as the spec writes it. */
export function formatValue(v: Value): string {
  return v === null ? 'null' : String(v);
}

