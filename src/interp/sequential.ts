import type { Expr, Op, SpecIR, Stmt } from '../ir.ts';

/**
 * The sequential model: the spec's operations run one at a time, to completion, on a plain
 * state. It is the model the model-based tests compare an implementation against, so it
 * follows the IR step by step and adds nothing of its own.
 *
 * Values: integers and booleans as such; an element is a positive handle, `null` is null.
 * The backing allocator is modelled by capacity: it hands out at most `capacity` elements at
 * once and fails while it is told to (`setBackingFailing`).
 */

/** A value of the spec language. */
export type Value = number | boolean | null;

/** The whole state of one pool and its environment; plain JSON data. */
export interface ModelState {
  /** Spec parameters (e.g. `capacity`), fixed for the run. */
  params: Record<string, number>;
  /** Shared pool variables (`curr_nr`, `min_nr`, ...). */
  vars: Record<string, number>;
  /** The reserve, bottom first. */
  reserve: number[];
  ghosts: Record<string, number>;
  /** Threads on each wait queue. */
  waiters: Record<string, number>;
  backing: { capacity: number; out: number; failing: boolean; nextHandle: number };
  /** Locks held by the running operation (a sequential run never contends). */
  held: string[];
}

/** What an operation call did. */
export type Reply =
  | { status: 'returned'; value: Value }
  /** It went to sleep on a wait queue, and run alone nobody would ever wake it. */
  | { status: 'blocked' };

/** Raised when the spec itself misbehaves at run time (a bug in the spec, not the pool). */
export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}

const STEP_BUDGET = 100_000;

/** The state before `create`: variables and ghosts at their declared initial values. */
export function initialState(ir: SpecIR, params: Record<string, number>): ModelState {
  const s: ModelState = {
    params: { ...params },
    vars: {},
    reserve: [],
    ghosts: {},
    waiters: {},
    backing: { capacity: 0, out: 0, failing: false, nextHandle: 1 },
    held: [],
  };
  for (const v of ir.state.vars) s.vars[v.name] = toInt(evalExpr(v.init, s, {}));
  // The capacity parameter counts what the backing allocator can hand out beyond the
  // elements `create` puts in the reserve, so a pool can always be created.
  const reserveTarget = s.vars.min_nr ?? 0;
  s.backing.capacity = (params[ir.state.backing.capacityParam] ?? 0) + reserveTarget;
  for (const g of ir.state.ghosts) s.ghosts[g.name] = toInt(evalExpr(g.init, s, {}));
  for (const q of ir.state.queues) s.waiters[q.name] = 0;
  return s;
}

/** A deep copy, for trying an operation without committing to it. */
export function cloneState(s: ModelState): ModelState {
  return structuredClone(s);
}

/** Tells the model's backing allocator to fail every allocation (or to stop failing). */
export function setBackingFailing(s: ModelState, on: boolean): void {
  s.backing.failing = on;
}

/** The counters an implementation's `inspect()` reports. */
export function inspect(ir: SpecIR, s: ModelState): { currNr: number; minNr: number;
  waiters: number } {
  const waiters = Object.values(s.waiters).reduce((a, b) => a + b, 0);
  return { currNr: s.vars[ir.state.reserve.count], minNr: s.vars.min_nr ?? 0, waiters };
}

/** Evaluates every invariant of the spec on a state. */
export function evalInvariants(ir: SpecIR, s: ModelState): { name: string; holds: boolean }[] {
  return ir.invariants.map((inv) => ({ name: inv.name, holds: evalExpr(inv.expr, s, {}) === true }));
}

/**
 * Runs operation `opName` to completion on `s` (mutating it) with the given arguments.
 * If the operation goes to sleep, the state is left as it was at that moment (the thread
 * is on the wait queue) and the reply is `blocked`: run the call on a `cloneState` copy
 * first when that matters.
 */
export function callOp(ir: SpecIR, s: ModelState, opName: string,
  args: Record<string, number | boolean | null>): Reply {
  const op = ir.ops.find((o) => o.name === opName);
  if (!op) throw new ModelError(`no operation '${opName}' in spec ${ir.name}`);
  const locals: Record<string, Value> = {};
  for (const p of op.params) {
    if (!(p.name in args)) throw new ModelError(`${opName}: missing argument '${p.name}'`);
    locals[p.name] = args[p.name];
  }
  const run = new Run(ir, s, op, locals);
  const flow = run.block(op.body);
  if (flow.kind === 'sleep') return { status: 'blocked' };
  if (flow.kind === 'break' || flow.kind === 'continue') {
    throw new ModelError(`${opName}: '${flow.kind}' outside a loop`);
  }
  if (s.held.length > 0) throw new ModelError(`${opName} returned holding ${s.held.join(', ')}`);
  return { status: 'returned', value: flow.kind === 'return' ? flow.value : null };
}

type Flow =
  | { kind: 'next' }
  | { kind: 'break' }
  | { kind: 'continue' }
  | { kind: 'return'; value: Value }
  | { kind: 'sleep' };

const NEXT: Flow = { kind: 'next' };

/** One operation call in progress. */
class Run {
  private steps = 0;

  constructor(
    private readonly ir: SpecIR,
    private readonly s: ModelState,
    private readonly op: Op,
    private readonly locals: Record<string, Value>,
  ) {}

  block(stmts: Stmt[]): Flow {
    for (const stmt of stmts) {
      const flow = this.step(stmt);
      if (flow.kind !== 'next') return flow;
    }
    return NEXT;
  }

  private step(st: Stmt): Flow {
    if (++this.steps > STEP_BUDGET) {
      throw new ModelError(`${this.op.name}: no return after ${STEP_BUDGET} steps (endless loop?)`);
    }
    const { s, locals } = this;
    switch (st.k) {
      case 'let':
        locals[st.name] = this.eval(st.expr);
        return NEXT;
      case 'read':
        locals[st.into] = this.sharedValue(st.var);
        return NEXT;
      case 'write':
        s.vars[st.var] = toInt(this.eval(st.expr));
        return NEXT;
      case 'lock':
        if (s.held.includes(st.lock)) throw new ModelError(`${this.op.name}: ${st.lock} taken twice`);
        s.held.push(st.lock);
        return NEXT;
      case 'unlock':
        if (!s.held.includes(st.lock)) throw new ModelError(`${this.op.name}: ${st.lock} not held`);
        s.held = s.held.filter((l) => l !== st.lock);
        return NEXT;
      case 'fence':
        return NEXT;
      case 'remove_element':
        return this.removeElement(st.into);
      case 'add_element':
        return this.addElement(this.eval(st.expr));
      case 'backing_alloc':
        locals[st.into] = this.backingAlloc();
        return NEXT;
      case 'backing_free':
        if (this.eval(st.expr) !== null) s.backing.out -= 1;
        return NEXT;
      case 'enqueue':
        s.waiters[st.queue] += 1;
        return NEXT;
      case 'dequeue':
        s.waiters[st.queue] -= 1;
        return NEXT;
      case 'sleep':
        // Run alone, nothing can change the state while this thread sleeps: a timeout
        // followed by a retry would find the same state, so the call never completes.
        return { kind: 'sleep' };
      case 'wake':
        return NEXT;
      case 'ghost':
        s.ghosts[st.name] = toInt(this.eval(st.expr));
        return NEXT;
      case 'if':
        return this.block(truthy(this.eval(st.cond)) ? st.then : st.else);
      case 'loop':
        return this.loop(st.body);
      case 'break':
        return { kind: 'break' };
      case 'continue':
        return { kind: 'continue' };
      case 'return':
        return { kind: 'return', value: st.expr ? this.eval(st.expr) : null };
    }
  }

  private loop(body: Stmt[]): Flow {
    for (;;) {
      const flow = this.block(body);
      if (flow.kind === 'break') return NEXT;
      if (flow.kind === 'return' || flow.kind === 'sleep') return flow;
    }
  }

  private removeElement(into: string): Flow {
    const count = this.ir.state.reserve.count;
    const element = this.s.reserve.pop();
    if (element === undefined) throw new ModelError(`${this.op.name}: remove_element on an empty reserve`);
    this.s.vars[count] -= 1;
    this.locals[into] = element;
    return NEXT;
  }

  private addElement(element: Value): Flow {
    if (typeof element !== 'number') {
      throw new ModelError(`${this.op.name}: add_element of ${String(element)}`);
    }
    this.s.reserve.push(element);
    this.s.vars[this.ir.state.reserve.count] += 1;
    return NEXT;
  }

  private backingAlloc(): Value {
    const b = this.s.backing;
    if (b.failing || b.out >= b.capacity) return null;
    b.out += 1;
    return b.nextHandle++;
  }

  private sharedValue(name: string): number {
    const v = this.s.vars[name];
    if (v === undefined) throw new ModelError(`${this.op.name}: no shared variable '${name}'`);
    return v;
  }

  private eval(e: Expr): Value {
    return evalExpr(e, this.s, this.locals);
  }
}

/** Evaluates an expression on a state and a set of locals. */
export function evalExpr(e: Expr, s: ModelState, locals: Record<string, Value>): Value {
  switch (e.k) {
    case 'num':
    case 'bool':
      return e.value;
    case 'null':
      return null;
    case 'local':
      if (!(e.name in locals)) throw new ModelError(`local '${e.name}' read before it is set`);
      return locals[e.name];
    case 'param':
      if (!(e.name in s.params)) throw new ModelError(`no value for parameter '${e.name}'`);
      return s.params[e.name];
    case 'shared':
      return s.vars[e.name];
    case 'ghost':
      return s.ghosts[e.name];
    case 'waiters':
      return s.waiters[e.queue] ?? 0;
    case 'not':
      return !truthy(evalExpr(e.arg, s, locals));
    case 'call': {
      const args = e.args.map((a) => toInt(evalExpr(a, s, locals)));
      return e.fn === 'min' ? Math.min(...args) : Math.max(...args);
    }
    case 'bin':
      return evalBin(e.op, evalExpr(e.left, s, locals), () => evalExpr(e.right, s, locals));
  }
}

function evalBin(op: string, left: Value, right: () => Value): Value {
  if (op === '&&') return truthy(left) && truthy(right());
  if (op === '||') return truthy(left) || truthy(right());
  const r = right();
  switch (op) {
    case '==':
      return left === r;
    case '!=':
      return left !== r;
    case '+':
      return toInt(left) + toInt(r);
    case '-':
      return toInt(left) - toInt(r);
    case '*':
      return toInt(left) * toInt(r);
    case '<':
      return toInt(left) < toInt(r);
    case '<=':
      return toInt(left) <= toInt(r);
    case '>':
      return toInt(left) > toInt(r);
    case '>=':
      return toInt(left) >= toInt(r);
  }
  throw new ModelError(`unknown operator '${op}'`);
}

function truthy(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return false;
}

function toInt(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new ModelError('null used as a number');
}
