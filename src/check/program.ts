import type { Expr, Loc, Op, SpecIR, Stmt } from '../ir.ts';
import type { SpecErrorCode } from '../spec/errors.ts';

/**
 * The spec's operations lowered once more, from nested statement lists to flat instruction
 * arrays with jumps, so that a thread's place in an operation is one number (`pc`) and its
 * locals one array. The explorer copies and hashes these millions of times; a path into
 * nested blocks would cost more on both counts.
 */

/** A value of the spec language: an integer, a boolean, an element handle or null. */
export type Value = number | boolean | null;

/** What an expression may look at besides the locals. */
export interface World {
  param(name: string): number;
  /** The latest value of a shared variable (ghost and invariant expressions only). */
  shared(name: string): number;
  ghost(name: string): number;
  waiters(queue: string): number;
}

/** A compiled expression. */
export type CompiledExpr = (locals: readonly Value[], world: World) => Value;

/** A leaf statement: anything that is not control flow. */
export type LeafStmt = Exclude<Stmt, { k: 'if' | 'loop' | 'break' | 'continue' | 'return' }>;

/** One instruction of a flattened operation. */
export type Instr =
  | { k: 'leaf'; stmt: LeafStmt; expr?: CompiledExpr; slot: number }
  /** Falls through when `cond` holds, else jumps to `target`. */
  | { k: 'branch'; stmt: Stmt; cond: CompiledExpr; target: number }
  /** `stmt` is the loop on a loop's back edge, for `loopAt`. */
  | { k: 'jump'; target: number; stmt?: Stmt }
  | { k: 'return'; stmt?: Stmt; expr?: CompiledExpr };

/** An operation ready to run: its instructions and its local slots (parameters first). */
export interface CompiledOp {
  op: Op;
  index: number;
  instrs: Instr[];
  slots: string[];
  /** Per instruction, per slot: whether some later step may read the slot's value. */
  live: boolean[][];
  /** Per slot: whether it holds an element. */
  elemSlots: boolean[];
  /**
   * Per instruction: whether it or a later step of the operation reads shared memory where
   * the read may return an older message than the newest (see `readsAnyMessage`).
   */
  readsAhead: boolean[];
  /**
   * Per instruction: whether it or a later step passes the thread's views on to others: a
   * write or reserve step (the message carries them), an unlock or a wait-queue action (the
   * lock keeps them), an `mb` (the global view).
   */
  emitsAhead: boolean[];
}

/** Where in the spec a `CheckSpecError` is, with its code and hint. */
export interface CheckSpecPlace {
  /** A spec error code (`endless-local-loop`). */
  code: SpecErrorCode;
  loc: Loc;
  hint: string;
}

/**
 * Raised when the spec cannot be run at all (a name that resolves to nothing, a loop that
 * never ends, ...); `place` says where in the spec, when it is known.
 */
export class CheckSpecError extends Error {
  constructor(message: string, readonly place?: CheckSpecPlace) {
    super(message);
    this.name = 'CheckSpecError';
  }
}

/**
 * The innermost loop of `op` that instruction `pc` lies in (its statement, with the place
 * of the `while` or `loop` in the spec), or undefined outside every loop.
 */
export function loopAt(op: CompiledOp, pc: number): Stmt | undefined {
  let best: { stmt: Stmt; size: number } | undefined;
  op.instrs.forEach((ins, end) => {
    if (ins.k !== 'jump' || ins.stmt?.k !== 'loop' || ins.target > pc || end < pc) return;
    if (!best || end - ins.target < best.size) best = { stmt: ins.stmt, size: end - ins.target };
  });
  return best?.stmt;
}

/** Compiles every operation of `ir`. */
export function compileOps(ir: SpecIR): CompiledOp[] {
  return ir.ops.map((op, index) => compileOp(op, index, ir));
}

function compileOp(op: Op, index: number, ir: SpecIR): CompiledOp {
  const slots = [...op.params.map((p) => p.name), ...op.locals.map((l) => l.name)];
  const instrs: Instr[] = [];
  const where = `${op.name}`;
  emitBlock(op.body, instrs, slots, where, null);
  instrs.push({ k: 'return' });
  const elemSlots = [...op.params, ...op.locals].map((v) => v.type === 'elem');
  return { op, index, instrs, slots, live: liveSlots(instrs, slots), elemSlots,
    readsAhead: ahead(instrs, (st) => st.k === 'read' && readsAnyMessage(ir, op.name, st)),
    emitsAhead: ahead(instrs, (st) => EMITS.has(st.k) || (st.k === 'fence' && st.fence === 'mb')) };
}

/**
 * Whether a read may return an older message than the newest: an atomic variable's, an
 * unguarded one's, or a declared lockless read. Any other read of a guarded variable runs
 * under its lock (else it breaks access_discipline), and there it returns the newest message.
 */
function readsAnyMessage(ir: SpecIR, op: string, st: Extract<LeafStmt, { k: 'read' }>): boolean {
  const decl = ir.state.vars.find((v) => v.name === st.var);
  if (decl === undefined || decl.access.kind === 'atomic') return true;
  return decl.access.locklessReads.some((at) => at.op === op && at.label === st.label);
}

const EMITS = new Set<LeafStmt['k']>(['write', 'remove_element', 'add_element', 'unlock',
  'enqueue', 'dequeue', 'wake']);

/** Per instruction: whether it or one it may lead to within the operation satisfies `is`. */
function ahead(instrs: Instr[], is: (st: LeafStmt) => boolean): boolean[] {
  const out = instrs.map((ins) => ins.k === 'leaf' && is(ins.stmt));
  for (let changed = true; changed;) {
    changed = false;
    for (let pc = instrs.length - 1; pc >= 0; pc--) {
      if (out[pc]) continue;
      const ins = instrs[pc];
      const next = ins.k === 'leaf' ? [pc + 1] : ins.k === 'branch' ? [pc + 1, ins.target]
        : ins.k === 'jump' ? [ins.target] : [];
      if (next.some((q) => out[q])) {
        out[pc] = true;
        changed = true;
      }
    }
  }
  return out;
}

/** Classic backward liveness over the flat instructions. */
function liveSlots(instrs: Instr[], slots: string[]): boolean[][] {
  const n = slots.length;
  const uses = instrs.map((ins) => {
    const names = new Set<string>();
    const stmt = ins.k === 'jump' ? undefined : ins.stmt;
    if (stmt) for (const e of exprsOf(stmt)) localsOf(e, names);
    return slots.map((name) => names.has(name));
  });
  const defs = instrs.map((ins) => (ins.k === 'leaf' ? ins.slot : -1));
  const succs = instrs.map((ins, pc): number[] => {
    if (ins.k === 'leaf') return [pc + 1];
    if (ins.k === 'branch') return [pc + 1, ins.target];
    if (ins.k === 'jump') return [ins.target];
    return [];
  });
  const live = instrs.map(() => new Array<boolean>(n).fill(false));
  for (let changed = true; changed;) {
    changed = false;
    for (let pc = instrs.length - 1; pc >= 0; pc--) {
      for (let i = 0; i < n; i++) {
        const after = succs[pc].some((q) => live[q]?.[i] === true);
        const value = uses[pc][i] || (after && defs[pc] !== i);
        if (value !== live[pc][i]) {
          live[pc][i] = value;
          changed = true;
        }
      }
    }
  }
  return live;
}

/** The expressions a statement evaluates itself (not those of nested blocks). */
function exprsOf(st: Stmt): Expr[] {
  switch (st.k) {
    case 'let':
    case 'write':
    case 'add_element':
    case 'backing_free':
    case 'ghost':
      return [st.expr];
    case 'if':
      return [st.cond];
    case 'return':
      return st.expr ? [st.expr] : [];
    default:
      return [];
  }
}

function localsOf(e: Expr, out: Set<string>): void {
  switch (e.k) {
    case 'local':
      out.add(e.name);
      return;
    case 'not':
      localsOf(e.arg, out);
      return;
    case 'bin':
      localsOf(e.left, out);
      localsOf(e.right, out);
      return;
    case 'call':
      for (const a of e.args) localsOf(a, out);
      return;
    default:
  }
}

interface LoopCtx {
  start: number;
  breaks: Instr[];
}

function emitBlock(body: Stmt[], out: Instr[], slots: string[], where: string,
  loop: LoopCtx | null): void {
  for (const st of body) emitStmt(st, out, slots, where, loop);
}

function emitStmt(st: Stmt, out: Instr[], slots: string[], where: string,
  loop: LoopCtx | null): void {
  switch (st.k) {
    case 'if': {
      const branch: Instr = { k: 'branch', stmt: st, cond: compileExpr(st.cond, slots, where),
        target: -1 };
      out.push(branch);
      emitBlock(st.then, out, slots, where, loop);
      if (st.else.length === 0) {
        branch.target = out.length;
        return;
      }
      const skip: Instr = { k: 'jump', target: -1 };
      out.push(skip);
      branch.target = out.length;
      emitBlock(st.else, out, slots, where, loop);
      skip.target = out.length;
      return;
    }
    case 'loop': {
      const inner: LoopCtx = { start: out.length, breaks: [] };
      emitBlock(st.body, out, slots, where, inner);
      out.push({ k: 'jump', target: inner.start, stmt: st });
      for (const b of inner.breaks) (b as { target: number }).target = out.length;
      return;
    }
    case 'break':
    case 'continue': {
      if (!loop) {
        throw new CheckSpecError(`${where}: '${st.k}' outside a loop (line ${st.loc.line})`);
      }
      const jump: Instr = { k: 'jump', target: st.k === 'continue' ? loop.start : -1 };
      if (st.k === 'break') loop.breaks.push(jump);
      out.push(jump);
      return;
    }
    case 'return':
      out.push({ k: 'return', stmt: st, expr: st.expr && compileExpr(st.expr, slots, where) });
      return;
    default:
      out.push(compileLeaf(st, slots, where));
  }
}

function compileLeaf(st: LeafStmt, slots: string[], where: string): Instr {
  const slotOf = (name: string): number => {
    const i = slots.indexOf(name);
    if (i < 0) throw new CheckSpecError(`${where}: no local '${name}' (line ${st.loc.line})`);
    return i;
  };
  switch (st.k) {
    case 'let':
      return { k: 'leaf', stmt: st, expr: compileExpr(st.expr, slots, where),
        slot: slotOf(st.name) };
    case 'read':
      return { k: 'leaf', stmt: st, slot: slotOf(st.into) };
    case 'remove_element':
    case 'backing_alloc':
      return { k: 'leaf', stmt: st, slot: slotOf(st.into) };
    case 'write':
    case 'add_element':
    case 'backing_free':
    case 'ghost':
      return { k: 'leaf', stmt: st, expr: compileExpr(st.expr, slots, where), slot: -1 };
    default:
      return { k: 'leaf', stmt: st, slot: -1 };
  }
}

/** Compiles `e` into a closure over a locals array laid out by `slots`. */
export function compileExpr(e: Expr, slots: readonly string[], where: string): CompiledExpr {
  switch (e.k) {
    case 'num':
    case 'bool': {
      const v = e.value;
      return () => v;
    }
    case 'null':
      return () => null;
    case 'local': {
      const i = slots.indexOf(e.name);
      if (i < 0) throw new CheckSpecError(`${where}: no local '${e.name}'`);
      return (locals) => locals[i];
    }
    case 'param': {
      const name = e.name;
      return (_l, w) => w.param(name);
    }
    case 'shared': {
      const name = e.name;
      return (_l, w) => w.shared(name);
    }
    case 'ghost': {
      const name = e.name;
      return (_l, w) => w.ghost(name);
    }
    case 'waiters': {
      const queue = e.queue;
      return (_l, w) => w.waiters(queue);
    }
    case 'not': {
      const arg = compileExpr(e.arg, slots, where);
      return (l, w) => !truthy(arg(l, w));
    }
    case 'call': {
      const args = e.args.map((a) => compileExpr(a, slots, where));
      const pick = e.fn === 'min' ? Math.min : Math.max;
      return (l, w) => pick(...args.map((a) => toInt(a(l, w))));
    }
    case 'bin':
      return compileBin(e.op, compileExpr(e.left, slots, where),
        compileExpr(e.right, slots, where));
  }
}

function compileBin(op: string, a: CompiledExpr, b: CompiledExpr): CompiledExpr {
  switch (op) {
    case '&&':
      return (l, w) => truthy(a(l, w)) && truthy(b(l, w));
    case '||':
      return (l, w) => truthy(a(l, w)) || truthy(b(l, w));
    case '==':
      return (l, w) => a(l, w) === b(l, w);
    case '!=':
      return (l, w) => a(l, w) !== b(l, w);
    case '+':
      return (l, w) => toInt(a(l, w)) + toInt(b(l, w));
    case '-':
      return (l, w) => toInt(a(l, w)) - toInt(b(l, w));
    case '*':
      return (l, w) => toInt(a(l, w)) * toInt(b(l, w));
    case '<':
      return (l, w) => toInt(a(l, w)) < toInt(b(l, w));
    case '<=':
      return (l, w) => toInt(a(l, w)) <= toInt(b(l, w));
    case '>':
      return (l, w) => toInt(a(l, w)) > toInt(b(l, w));
    case '>=':
      return (l, w) => toInt(a(l, w)) >= toInt(b(l, w));
  }
  throw new CheckSpecError(`unknown operator '${op}'`);
}

/** The truth of a value: `true`, a non-zero integer or a non-null element. */
export function truthy(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return false;
}

/** A value as an integer; booleans count as 0/1, null is a spec error. */
export function toInt(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new CheckSpecError('null used as a number');
}
