/**
 * One scenario thread as one litmus process: the client program with every operation call
 * inlined, each IR step translated to kernel C litmus instructions.
 *
 * - A read or write of a pool variable is a `READ_ONCE` into a fresh register or a
 *   `WRITE_ONCE`; `remove_element`/`add_element` read the reserve count and write it back one
 *   lower or higher. The element itself is the constant 1 (litmus files model no element
 *   identity); null is 0.
 * - The backing allocator is a variable holding its free capacity, accessed inside its own
 *   lock. The wait queue is a variable counting the threads on it; `wake` sets `<queue>_woken`
 *   when it finds one. `sleep` ends the process: herd7 cannot model a wakeup, and the outcome
 *   says what a thread left on the queue means.
 * - herd7's C has no loops, `return` or `goto`. The translation is in continuation-passing
 *   style: whatever follows a statement is compiled into each branch that reaches it, so an
 *   early exit simply leaves the rest out of its branch. A `loop` is unrolled again each time
 *   it is re-entered in a state it has not been entered in before, as far as compile time
 *   knows it (a retry with full flags is another state; a plain retry is not), up to
 *   `MAX_UNROLLED` times. Re-entered in a known state, the body runs only up
 *   to its first side effect: if it leaves the loop before that, fine; otherwise the process
 *   stops there and sets its `cutoff` register, and the `exists` clause leaves such
 *   executions out, as a herd7 `filter` would.
 * - Everything known at compile time is evaluated: constant arguments, locals, the value of a
 *   variable only this process writes (a read of it returns the initial value or the
 *   process's own last write, by coherence), a second read of a lock-guarded variable inside
 *   one critical section, and conditions already decided on the path. What depends on a
 *   shared read stays an `if`.
 * - Ghost steps are bookkeeping and are dropped.
 */

import type { ClientStmt, Expr, LabelRef, Op, Scenario, SpecIR, Stmt } from '../ir.ts';
import {
  assume, forget, lbin, lnot, num, refine, reg, regsOf, truthy, type Facts,
} from './lexpr.ts';
import type { LitmusNames } from './outcome.ts';
import type { LExpr, LInstr } from './types.ts';

/** A happens-before edge taken out of a test (see `compile.ts`). */
export type Ablation =
  /** The `fence` step at `at` is deleted. */
  | { kind: 'drop-fence'; at: LabelRef }
  /** The step at `at` moves to just after the next `unlock` of `lock` on its path. */
  | { kind: 'move-out'; at: LabelRef; lock: string };

/** What an earlier translation of the same scenario showed about all its processes. */
export interface Knowledge {
  /** Per litmus variable, the processes whose code writes it. */
  writers: ReadonlyMap<string, ReadonlySet<number>>;
  /** Processes whose code gives an element back to the backing allocator. */
  backingFreers: ReadonlySet<number>;
}

/** Everything the translation of one scenario needs. */
export interface InlineInput {
  ir: SpecIR;
  scenario: Scenario;
  names: LitmusNames;
  /** Initial values by litmus variable name. */
  init: ReadonlyMap<string, number>;
  /** Calls in which the backing allocator cannot have anything to hand out. */
  hopelessCalls: ReadonlySet<ClientStmt>;
  knowledge?: Knowledge;
  ablation?: Ablation;
}

/** One translated thread. */
export interface InlinedProc {
  body: LInstr[];
  /** Registers in order of first assignment. */
  regs: string[];
  /** The register a process sets when it stops at the unrolling bound, if it can. */
  cutoff: string | null;
  /** Whether some path goes to sleep on a wait queue. */
  sleeps: boolean;
  /** Whether some path gives an element back to the backing allocator. */
  freesToBacking: boolean;
  /** How many times the ablation applied. */
  ablationHits: number;
}

/** Translates thread number `thread` of `input.scenario`. */
export function inlineThread(input: InlineInput, thread: number): InlinedProc {
  const compiler = new ProcCompiler(input, thread);
  const body = compiler.compile();
  return {
    body,
    regs: assignedRegs(body),
    cutoff: compiler.cutoff,
    sleeps: compiler.sleeps,
    freesToBacking: compiler.freesToBacking,
    ablationHits: compiler.ablationHits,
  };
}

/** Full iterations a loop is unrolled to at most, however its state changes. */
const MAX_UNROLLED = 3;

const ELEMENT = num(1);
const NULL = num(0);

/** What is known on one path through the process. */
interface PathState {
  /** The inlined operation's locals and parameters. */
  readonly env: ReadonlyMap<string, LExpr>;
  /** The client's registers. */
  readonly regs: ReadonlyMap<string, LExpr>;
  /** Spec locks held. */
  readonly held: readonly string[];
  /** Lock-guarded variables read or written inside the current critical section. */
  readonly cache: ReadonlyMap<string, LExpr>;
  /** Variables no other process writes, with their current value. */
  readonly own: ReadonlyMap<string, LExpr>;
  readonly facts: Facts;
  /** Steps waiting for the next unlock (the `move-out` ablation). */
  readonly deferred: readonly Stmt[];
  /** Inside a loop body re-entered in a known state: stop at the first side effect. */
  readonly lookahead: boolean;
}

/** Where control goes from the end of a statement list and from each kind of exit. */
interface Cont {
  next(s: PathState): LInstr[];
  ret(s: PathState, value: LExpr | undefined): LInstr[];
  brk(s: PathState): LInstr[];
  cont(s: PathState): LInstr[];
}

type Call = Extract<ClientStmt, { k: 'call' }>;

interface Frame {
  op: Op;
  call: Call;
}

/** A load or store: the instructions and the path state after them. */
interface Access {
  instrs: LInstr[];
  state: PathState;
  value: LExpr;
}

class ProcCompiler {
  cutoff: string | null = null;
  sleeps = false;
  freesToBacking = false;
  ablationHits = 0;

  private counter = 0;
  private readonly taken: Set<string>;
  /** Litmus variable -> the spec lock that guards it. */
  private readonly guard = new Map<string, string>();

  constructor(private readonly input: InlineInput, private readonly thread: number) {
    const own = clientRegs(input.scenario, thread);
    this.taken = new Set([...input.names.all, ...own]);
    // Temporaries are numbered after the client's own r0, r1, ... so that they read as such.
    const numbered = own.map((r) => /^r(\d+)$/.exec(r)).filter((m) => m !== null);
    this.counter = Math.max(-1, ...numbered.map((m) => Number(m[1]))) + 1;
    for (const v of input.ir.state.vars) {
      if (v.access.kind === 'locked') this.guard.set(input.names.poolVar(v.name), v.access.lock);
    }
  }

  compile(): LInstr[] {
    const body = this.input.scenario.threads[this.thread].body;
    return this.client(body, 0, this.start(), () => []);
  }

  private start(): PathState {
    const own = new Map<string, LExpr>();
    const knowledge = this.input.knowledge;
    if (knowledge) {
      for (const [name, value] of this.input.init) {
        const writers = [...(knowledge.writers.get(name) ?? [])];
        if (writers.every((w) => w === this.thread)) own.set(name, num(value));
      }
    }
    return {
      env: new Map(), regs: new Map(), held: [], cache: new Map(), own, facts: new Map(),
      deferred: [], lookahead: false,
    };
  }

  // ---- the client program ----------------------------------------------------------------

  private client(body: ClientStmt[], i: number, s: PathState,
    done: (s: PathState) => LInstr[]): LInstr[] {
    if (i === body.length) return done(s);
    const st = body[i];
    const rest = (next: PathState): LInstr[] => this.client(body, i + 1, next, done);
    switch (st.k) {
      case 'read': {
        const instr: LInstr = {
          k: 'read', reg: st.into, var: this.input.names.clientVar(st.var), mode: 'once',
        };
        return [instr, ...rest(setReg(s, st.into, reg(st.into)))];
      }
      case 'write': {
        const pre: LInstr[] = [];
        const value = this.value(st.expr, s, null, pre);
        const store = this.store(this.input.names.clientVar(st.var), value, s);
        return [...pre, ...store.instrs, ...rest(store.state)];
      }
      case 'if': {
        const pre: LInstr[] = [];
        const cond = this.cond(st.cond, s, null, pre);
        return [...pre, ...this.branch(cond, s,
          (t) => this.client(st.then, 0, t, rest),
          (e) => this.client(st.else, 0, e, rest))];
      }
      case 'call':
        return this.call(st, s, rest);
    }
  }

  private call(st: Call, s: PathState, rest: (s: PathState) => LInstr[]): LInstr[] {
    const op = this.input.ir.ops.find((o) => o.name === st.op);
    if (!op) this.fail(`calls ${st.op}, which the spec does not define`);
    if (op.params.length !== st.args.length) {
      this.fail(`calls ${op.name} with ${st.args.length} argument(s), not ${op.params.length}`);
    }
    const pre: LInstr[] = [];
    const env = new Map(op.params.map((p, j) => [p.name, this.value(st.args[j], s, null, pre)]));
    const finish = (end: PathState, value: LExpr | undefined): LInstr[] => {
      if (end.held.length > 0) this.fail(`${op.name} returns holding ${end.held.join(', ')}`);
      if (end.deferred.length > 0) this.fail(`${op.name} returns before the moved step could run`);
      const after: PathState = { ...end, env: new Map(), lookahead: false };
      if (st.into === undefined) return rest(after);
      const result = value ?? NULL;
      const bound = setReg(after, st.into, result.k === 'num' ? result : reg(st.into));
      return [{ k: 'assign', reg: st.into, expr: result }, ...rest(bound)];
    };
    const k: Cont = {
      next: (end) => finish(end, undefined),
      ret: finish,
      brk: () => this.fail(`${op.name}: break outside a loop`),
      cont: () => this.fail(`${op.name}: continue outside a loop`),
    };
    return [...pre, ...this.stmts({ op, call: st }, op.body, 0, { ...s, env }, k)];
  }

  // ---- operation steps -------------------------------------------------------------------

  private stmts(f: Frame, body: Stmt[], i: number, s: PathState, k: Cont): LInstr[] {
    if (i === body.length) return k.next(s);
    const st = body[i];
    const rest = (next: PathState): LInstr[] => this.stmts(f, body, i + 1, next, k);
    if (this.ablates(f, st, 'move-out')) {
      this.ablationHits++;
      return rest({ ...s, deferred: [...s.deferred, { ...st, label: undefined }] });
    }
    if (s.lookahead && hasEffect(st)) return this.cutOff(s);
    const names = this.input.names;
    const pre: LInstr[] = [];
    switch (st.k) {
      case 'ghost':
        return rest(s);
      case 'let': {
        const value = this.value(st.expr, s, f, pre);
        return [...pre, ...rest(bind(s, st.name, value))];
      }
      case 'read': {
        const load = this.load(names.poolVar(st.var), s);
        return [...load.instrs, ...rest(bind(load.state, st.into, load.value))];
      }
      case 'write': {
        const store = this.store(names.poolVar(st.var), this.value(st.expr, s, f, pre), s);
        return [...pre, ...store.instrs, ...rest(store.state)];
      }
      case 'lock':
        if (s.held.includes(st.lock)) this.fail(`${f.op.name} takes ${st.lock} twice`);
        return [{ k: 'lock', lock: names.lock(st.lock) },
          ...rest({ ...s, held: [...s.held, st.lock] })];
      case 'unlock':
        return this.unlock(f, st.lock, s, rest);
      case 'fence':
        if (this.ablates(f, st, 'drop-fence')) {
          this.ablationHits++;
          return rest(s);
        }
        return [{ k: 'fence', fence: st.fence }, ...rest(s)];
      case 'remove_element':
      case 'add_element': {
        const count = names.poolVar(this.input.ir.state.reserve.count);
        const load = this.load(count, s);
        const delta = st.k === 'remove_element' ? '-' : '+';
        const store = this.store(count, lbin(delta, load.value, num(1)), load.state);
        const after = st.k === 'remove_element' ? bind(store.state, st.into, ELEMENT) : store.state;
        return [...load.instrs, ...store.instrs, ...rest(after)];
      }
      case 'backing_alloc':
        return this.backingAlloc(f, st.into, s, rest);
      case 'backing_free':
        return this.backingFree(this.value(st.expr, s, f, pre), s, pre, rest);
      case 'enqueue':
      case 'dequeue': {
        const queue = names.queue(st.queue);
        const load = this.load(queue, s);
        const delta = st.k === 'enqueue' ? '+' : '-';
        const store = this.store(queue, lbin(delta, load.value, num(1)), load.state);
        return [...load.instrs, ...store.instrs, ...rest(store.state)];
      }
      case 'sleep':
        if (s.deferred.length > 0) this.fail(`${f.op.name} sleeps before the moved step ran`);
        this.sleeps = true;
        return [];
      case 'wake':
        return this.wake(st.queue, s, rest);
      case 'if': {
        const cond = this.cond(st.cond, s, f, pre);
        const inner: Cont = { ...k, next: rest };
        return [...pre, ...this.branch(cond, s,
          (t) => this.stmts(f, st.then, 0, t, inner),
          (e) => this.stmts(f, st.else, 0, e, inner))];
      }
      case 'loop':
        return this.loop(f, st.body, s, k, rest);
      case 'break':
        return k.brk(s);
      case 'continue':
        return k.cont(s);
      case 'return': {
        const value = st.expr ? this.value(st.expr, s, f, pre) : undefined;
        return [...pre, ...k.ret({ ...s, lookahead: false }, value)];
      }
    }
  }

  private loop(f: Frame, body: Stmt[], s: PathState, k: Cont,
    rest: (s: PathState) => LInstr[]): LInstr[] {
    const keys = [...s.env.keys()].sort();
    const enter = (state: PathState, seen: readonly string[]): LInstr[] => {
      const print = fingerprint(state, keys);
      const full = !seen.includes(print) && seen.length < MAX_UNROLLED;
      const again = (next: PathState): LInstr[] =>
        full ? enter(next, [...seen, print]) : this.cutOff(next);
      const inner: Cont = {
        next: again,
        cont: again,
        brk: (next) => rest({ ...next, lookahead: false }),
        ret: (next, value) => k.ret({ ...next, lookahead: false }, value),
      };
      return this.stmts(f, body, 0, { ...state, lookahead: !full }, inner);
    };
    return enter(s, []);
  }

  /**
   * Stops the process at the unrolling bound. It gives back the locks it holds so that no
   * other process waits for it forever; the execution is out of the `exists` clause anyway.
   */
  private cutOff(s: PathState): LInstr[] {
    this.cutoff ??= this.fresh('cutoff');
    const unlocks = [...s.held].reverse()
      .map((l): LInstr => ({ k: 'unlock', lock: this.input.names.lock(l) }));
    return [{ k: 'assign', reg: this.cutoff, expr: num(1) }, ...unlocks];
  }

  private unlock(f: Frame, lock: string, s: PathState,
    rest: (s: PathState) => LInstr[]): LInstr[] {
    if (!s.held.includes(lock)) this.fail(`${f.op.name} unlocks ${lock}, which it does not hold`);
    const cache = new Map([...s.cache].filter(([name]) => this.guard.get(name) !== lock));
    const after: PathState = { ...s, held: s.held.filter((l) => l !== lock), cache };
    const instr: LInstr = { k: 'unlock', lock: this.input.names.lock(lock) };
    const ablation = this.input.ablation;
    if (ablation?.kind !== 'move-out' || ablation.lock !== lock || s.deferred.length === 0) {
      return [instr, ...rest(after)];
    }
    const moved = (what: string) => (): never => this.fail(`a moved step may not ${what}`);
    const k: Cont = {
      next: rest, ret: moved('return'), brk: moved('break'), cont: moved('continue'),
    };
    return [instr, ...this.stmts(f, [...s.deferred], 0, { ...after, deferred: [] }, k)];
  }

  private backingAlloc(f: Frame, into: string, s: PathState,
    rest: (s: PathState) => LInstr[]): LInstr[] {
    const { backing, backingLock } = this.input.names;
    const own = s.own.get(backing);
    if (this.hopeless(f) || (own?.k === 'num' && own.value <= 0)) return rest(bind(s, into, NULL));
    const lock: LInstr = { k: 'lock', lock: backingLock };
    const unlock: LInstr = { k: 'unlock', lock: backingLock };
    if (own?.k === 'num') {
      const store = this.store(backing, num(own.value - 1), s);
      return [lock, ...store.instrs, unlock, ...rest(bind(store.state, into, ELEMENT))];
    }
    const load = this.load(backing, s);
    const available = refine(lbin('>', load.value, num(0)), s.facts);
    const store = this.store(backing, lbin('-', load.value, num(1)), load.state);
    const taken = this.when(available, store.instrs, load.state, backing);
    return [lock, ...load.instrs, ...taken.instrs, unlock,
      ...rest(bind(taken.state, into, available))];
  }

  /**
   * Whether the backing allocator has nothing to hand out in this call: its capacity is 0
   * and either nobody ever gives it an element, or every element any thread can give it
   * comes out of this very call (see `hopelessCalls` in `compile.ts`).
   */
  private hopeless(f: Frame): boolean {
    if (this.input.hopelessCalls.has(f.call)) return true;
    const knowledge = this.input.knowledge;
    const capacity = this.input.init.get(this.input.names.backing) ?? 0;
    return knowledge !== undefined && capacity <= 0 && knowledge.backingFreers.size === 0;
  }

  private backingFree(element: LExpr, s: PathState, pre: LInstr[],
    rest: (s: PathState) => LInstr[]): LInstr[] {
    // free_fn(NULL) does nothing, as in the sequential model.
    if (element.k === 'num' && element.value === 0) return [...pre, ...rest(s)];
    this.freesToBacking = true;
    const { backing, backingLock } = this.input.names;
    const give = (state: PathState): LInstr[] => {
      const load = this.load(backing, state);
      const store = this.store(backing, lbin('+', load.value, num(1)), load.state);
      return [{ k: 'lock', lock: backingLock }, ...load.instrs, ...store.instrs,
        { k: 'unlock', lock: backingLock }, ...rest(store.state)];
    };
    return [...pre, ...this.branch(refine(truthy(element), s.facts), s, give, rest)];
  }

  private wake(queue: string, s: PathState, rest: (s: PathState) => LInstr[]): LInstr[] {
    const names = this.input.names;
    const load = this.load(names.queue(queue), s);
    const found = refine(truthy(load.value), s.facts);
    const flag = names.woken(queue);
    const mark: LInstr = { k: 'write', var: flag, expr: num(1), mode: 'once' };
    const woken = this.when(found, [mark], load.state, flag);
    return [...load.instrs, ...woken.instrs, ...rest(woken.state)];
  }

  /** `if (cond) { instrs }` with nothing after it in the branch; `written` may have changed. */
  private when(cond: LExpr, instrs: LInstr[], s: PathState, written: string):
    { instrs: LInstr[]; state: PathState } {
    if (cond.k === 'num') {
      if (cond.value === 0) return { instrs: [], state: s };
      return { instrs, state: s };
    }
    const own = new Map(s.own);
    own.delete(written);
    return { instrs: [{ k: 'if', cond, then: instrs, else: [] }], state: { ...s, own } };
  }

  // ---- memory, branches, values ----------------------------------------------------------

  private load(name: string, s: PathState): Access {
    const known = s.own.get(name) ?? s.cache.get(name);
    if (known) return { instrs: [], state: s, value: known };
    const r = this.fresh();
    const guarded = this.guardHeld(name, s);
    const state = guarded ? { ...s, cache: new Map([...s.cache, [name, reg(r)]]) } : s;
    return { instrs: [{ k: 'read', reg: r, var: name, mode: 'once' }], state, value: reg(r) };
  }

  private store(name: string, value: LExpr, s: PathState): Access {
    const own = s.own.has(name) ? new Map([...s.own, [name, value]]) : s.own;
    const cache = this.guardHeld(name, s) ? new Map([...s.cache, [name, value]]) : s.cache;
    return {
      instrs: [{ k: 'write', var: name, expr: value, mode: 'once' }],
      state: { ...s, own, cache },
      value,
    };
  }

  private guardHeld(name: string, s: PathState): boolean {
    const lock = this.guard.get(name);
    return lock !== undefined && s.held.includes(lock);
  }

  private branch(cond: LExpr, s: PathState, onTrue: (s: PathState) => LInstr[],
    onFalse: (s: PathState) => LInstr[]): LInstr[] {
    if (cond.k === 'num') return cond.value !== 0 ? onTrue(s) : onFalse(s);
    const then = onTrue({ ...s, facts: assume(s.facts, cond, true) });
    const otherwise = onFalse({ ...s, facts: assume(s.facts, cond, false) });
    return [{ k: 'if', cond, then, else: otherwise }];
  }

  private cond(e: Expr, s: PathState, f: Frame | null, pre: LInstr[]): LExpr {
    return refine(truthy(this.value(e, s, f, pre)), s.facts);
  }

  /** `e` evaluated as far as the path allows; `pre` receives any instructions it needs. */
  private value(e: Expr, s: PathState, f: Frame | null, pre: LInstr[]): LExpr {
    return refine(this.evaluate(e, s, f, pre), s.facts);
  }

  private evaluate(e: Expr, s: PathState, f: Frame | null, pre: LInstr[]): LExpr {
    switch (e.k) {
      case 'num':
        return num(e.value);
      case 'bool':
        return num(e.value ? 1 : 0);
      case 'null':
        return NULL;
      case 'local': {
        if (f === null) return s.regs.get(e.name) ?? num(0);
        const value = s.env.get(e.name);
        if (value === undefined) this.fail(`${f.op.name} reads ${e.name} before setting it`);
        return value;
      }
      case 'param': {
        const value = f === null ? undefined : s.env.get(e.name);
        if (value !== undefined) return value;
        const param = this.input.scenario.params[e.name];
        if (param === undefined) this.fail(`no value for parameter ${e.name}`);
        return num(param);
      }
      case 'shared':
      case 'ghost':
      case 'waiters':
        return this.fail(`an expression in code names ${e.k} state; only ghost steps may`);
      case 'not':
        return lnot(truthy(this.evaluate(e.arg, s, f, pre)));
      case 'bin': {
        const left = this.evaluate(e.left, s, f, pre);
        const right = this.evaluate(e.right, s, f, pre);
        if (e.op !== '*') return lbin(e.op, left, right);
        if (left.k === 'num' && right.k === 'num') return num(left.value * right.value);
        return this.fail(`'*' of values known only at run time has no litmus form`);
      }
      case 'call':
        return e.args.map((a) => this.evaluate(a, s, f, pre))
          .reduce((a, b) => this.extremum(e.fn, a, b, pre));
    }
  }

  private extremum(fn: 'min' | 'max', a: LExpr, b: LExpr, pre: LInstr[]): LExpr {
    if (a.k === 'num' && b.k === 'num') return num(Math[fn](a.value, b.value));
    const r = this.fresh();
    const cond = lbin(fn === 'min' ? '<' : '>', a, b);
    pre.push({ k: 'if', cond, then: [{ k: 'assign', reg: r, expr: a }],
      else: [{ k: 'assign', reg: r, expr: b }] });
    return reg(r);
  }

  private ablates(f: Frame, st: Stmt, kind: Ablation['kind']): boolean {
    const ablation = this.input.ablation;
    return ablation?.kind === kind && st.label === ablation.at.label && f.op.name === ablation.at.op;
  }

  private fresh(base = 'r'): string {
    for (;;) {
      const name = base === 'r' ? `r${this.counter++}` : base;
      if (!this.taken.has(name)) {
        this.taken.add(name);
        return name;
      }
      if (base !== 'r') base = `${base}_`;
    }
  }

  private fail(message: string): never {
    const { scenario, ir } = this.input;
    throw new Error(`litmus: ${ir.name}: scenario ${scenario.name}, thread ` +
      `${scenario.threads[this.thread].name}: ${message}`);
  }
}

/** Steps that change memory, locks or the wait queue, or run a loop: see `lookahead`. */
function hasEffect(st: Stmt): boolean {
  return !['let', 'read', 'if', 'break', 'return', 'ghost'].includes(st.k);
}

function bind(s: PathState, name: string, value: LExpr): PathState {
  return { ...s, env: new Map([...s.env, [name, value]]) };
}

/** Sets client register `name`, forgetting whatever was known through its old value. */
function setReg(s: PathState, name: string, value: LExpr): PathState {
  const keep = (e: LExpr): boolean => !regsOf(e).includes(name);
  const filter = (m: ReadonlyMap<string, LExpr>): Map<string, LExpr> =>
    new Map([...m].filter(([, e]) => keep(e)));
  return {
    ...s,
    regs: new Map([...filter(s.regs), [name, value]]),
    cache: filter(s.cache),
    own: filter(s.own),
    facts: forget(s.facts, name),
  };
}

/**
 * The loop-entry state that decides whether the body is unrolled again: the values known at
 * compile time of the locals set before the loop and of the variables only this process
 * writes, and the locks held.
 */
function fingerprint(s: PathState, keys: readonly string[]): string {
  const known = (v: LExpr | undefined): string => (v?.k === 'num' ? String(v.value) : '?');
  const locals = keys.map((key) => `${key}=${known(s.env.get(key))}`);
  const memory = [...s.own].map(([name, v]) => `${name}=${known(v)}`);
  return `${locals.join(',')}|${memory.join(',')}|${s.held.join(',')}`;
}

/** The client registers of one thread: assigned, read in expressions, or in the outcome. */
function clientRegs(scenario: Scenario, thread: number): string[] {
  const regs: string[] = [];
  const expr = (e: Expr): void => {
    if (e.k === 'local') regs.push(e.name);
    else if (e.k === 'bin') [e.left, e.right].forEach(expr);
    else if (e.k === 'not') expr(e.arg);
    else if (e.k === 'call') e.args.forEach(expr);
  };
  const visit = (st: ClientStmt): void => {
    if (st.k === 'read') regs.push(st.into);
    else if (st.k === 'write') expr(st.expr);
    else if (st.k === 'call') {
      if (st.into !== undefined) regs.push(st.into);
      st.args.forEach(expr);
    } else {
      expr(st.cond);
      [...st.then, ...st.else].forEach(visit);
    }
  };
  scenario.threads[thread].body.forEach(visit);
  const outcome = (o: Scenario['outcome']): void => {
    if (o.k === 'reg' && o.thread === thread) regs.push(o.reg);
    else if (o.k === 'and' || o.k === 'or') o.args.forEach(outcome);
    else if (o.k === 'not') outcome(o.arg);
  };
  outcome(scenario.outcome);
  return regs;
}

/** Registers a body assigns (reads into or sets): `r0`, `r1`, ... by number, then the others. */
export function assignedRegs(body: readonly LInstr[]): string[] {
  const number = (r: string): number => {
    const m = /^r(\d+)$/.exec(r);
    return m ? Number(m[1]) : Number.POSITIVE_INFINITY;
  };
  return inOrder(body).sort((a, b) => number(a) - number(b));
}

function inOrder(body: readonly LInstr[], into: string[] = []): string[] {
  for (const instr of body) {
    if ((instr.k === 'read' || instr.k === 'assign') && !into.includes(instr.reg)) {
      into.push(instr.reg);
    } else if (instr.k === 'if') {
      inOrder(instr.then, into);
      inOrder(instr.else, into);
    }
  }
  return into;
}
