import type { LeafStmt } from './program.ts';
import type { SpecIR } from '../ir.ts';
import { formatValue } from './client.ts';
import { describe, type TraceEvent } from './events.ts';
import {
  acquire, doFence, doRead, doWrite, holder, latestTimestamp, latestValue, queueSync,
  readable, readLatest, release, varIndex, type MemoryMode,
} from './memory.ts';
import { toInt, type CompiledOp, type Instr, type World } from './program.ts';
import { ASLEEP, RUN, lowestFreeHandle, type State, type ThreadState } from './state.ts';

type Log = (detail?: Partial<TraceEvent>) => void;

const noLog: Log = () => {};

/**
 * Where a step is, for messages; built as text only when a message needs it. One instance
 * is reused for every step (messages are built at once), so the hot path allocates nothing.
 */
class Where {
  thread = 0;
  op = '';
  line = 0;
  at(thread: number, op: string, line: number): this {
    this.thread = thread;
    this.op = op;
    this.line = line;
    return this;
  }
  toString(): string {
    return `T${this.thread}: ${this.op} (line ${this.line})`;
  }
}

/** A leaf instruction. */
export type LeafInstr = Extract<Instr, { k: 'leaf' }>;

/** The lock that stands for a wait queue's own spin lock in the memory model. */
export function queueLock(queue: string): string {
  return `${queue}#queue-lock`;
}

/**
 * What each kind of step does to a state: the meaning of the IR's leaf statements under the
 * memory model. The `Machine` decides which thread steps when; this decides what the step
 * does, and reports the properties a single step can break (lock discipline, access
 * discipline, an empty reserve, a double free).
 */
export class StepExecutor {
  protected readonly ghostNames: string[];
  protected readonly queueNames: string[];
  /** Per variable: the lock guarding it, or null for an atomic variable. */
  protected readonly guard = new Map<string, string | null>();
  private readonly lockless = new Set<string>();
  /** A thread running alone (create, destroy, a waiter's retry) ignores lock discipline. */
  protected alone = false;
  private readonly params: World;
  private readonly here = new Where();
  private readonly stateWorld: StateWorld;

  constructor(
    readonly ir: SpecIR,
    readonly ops: CompiledOp[],
    readonly paramValues: Record<string, number>,
    readonly memoryMode: MemoryMode,
  ) {
    this.ghostNames = ir.state.ghosts.map((g) => g.name);
    this.queueNames = ir.state.queues.map((q) => q.name);
    for (const v of ir.state.vars) {
      this.guard.set(v.name, v.access.kind === 'atomic' ? null : v.access.lock);
      if (v.access.kind === 'locked') {
        for (const at of v.access.locklessReads) {
          this.lockless.add(`${v.name}@${at.op}.${at.label}`);
        }
      }
    }
    const noState = (what: string) => (): number => {
      throw new Error(`${what} in an expression of an operation body`);
    };
    this.params = {
      param: (name) => this.param(name),
      shared: noState('a shared variable'),
      ghost: noState('a ghost'),
      waiters: noState('waiters()'),
    };
    this.stateWorld = new StateWorld(this);
  }

  /** The value of a spec parameter. */
  param(name: string): number {
    const v = this.paramValues[name];
    if (v === undefined) throw new Error(`no value for parameter '${name}'`);
    return v;
  }

  /** The world of operation-body expressions: parameters only. */
  protected paramWorld(): World {
    return this.params;
  }

  /** The world of ghost and invariant expressions: the latest values of `s`. */
  worldOf(s: State): World {
    return new StateWorld(this).of(s);
  }

  /** The ghost names, in declaration order. */
  ghostIndex(name: string): number {
    return this.ghostNames.indexOf(name);
  }

  /** The index of a wait queue. */
  queueIndex(name: string): number {
    return this.queueNames.indexOf(name);
  }

  /**
   * How thread `t` may read `variable` at a step labelled `label` of `op`: `sc` for an atomic
   * variable; a plain read under its lock, at a declared lockless read, or when running
   * alone; `null` when the spec's access discipline does not allow the read at all.
   */
  protected readMode(s: State, t: number, variable: string, op: string,
    label: string | undefined): 'once' | 'sc' | null {
    const lock = this.guard.get(variable);
    if (lock === undefined) return 'once';
    if (lock === null) return 'sc';
    if (this.alone || holder(s.mem, lock) === t) return 'once';
    return label !== undefined && this.lockless.has(`${variable}@${op}.${label}`) ? 'once' : null;
  }

  /** The locks thread `t` holds. */
  protected heldLocks(s: State, t: number): string[] {
    return s.mem.layout.locks.filter((l) => holder(s.mem, l) === t);
  }

  protected violate(s: State, property: string, message: string): void {
    s.violation ??= { property, message };
  }

  protected event(s: State, t: number, kind: string, text: string,
    detail: Partial<TraceEvent> = {}): TraceEvent {
    void s;
    return { thread: this.alone ? -1 : t, kind, text, ...detail };
  }

  protected readInfo(s: State, variable: string, value: number,
    timestamp: number): NonNullable<TraceEvent['read']> {
    const latest = latestTimestamp(s.mem, varIndex(s.mem, variable));
    return { var: variable, value, timestamp, latest };
  }

  /** Executes the leaf `t` is at (taking read choice `choice`) and moves past it. */
  protected execLeaf(s: State, t: number, instr: LeafInstr, choice: number,
    events: TraceEvent[] | null): void {
    const th = s.threads[t];
    const op = this.ops[th.op].op;
    const st = instr.stmt;
    th.pc += 1;
    const log: Log = events === null ? noLog : (detail = {}): void => {
      events.push(this.event(s, t, st.k, describe(st),
        { op: op.name, label: st.label, line: st.loc.line, ...detail }));
    };
    const where = this.here.at(t, op.name, st.loc.line);
    switch (st.k) {
      case 'let':
        th.locals[instr.slot] = instr.expr!(th.locals, this.params);
        return log({ text: `${st.name} = ${formatValue(th.locals[instr.slot])}` });
      case 'ghost': {
        const g = this.ghostNames.indexOf(st.name);
        s.ghosts = s.ghosts.slice();
        s.ghosts[g] = toInt(instr.expr!(th.locals, this.stateWorld.of(s)));
        return log({ text: `ghost ${st.name} = ${s.ghosts[g]}` });
      }
      case 'fence':
        s.mem = doFence(s.mem, t, st.fence);
        return log();
      case 'read':
        return this.read(s, t, instr, st, choice, log, where);
      case 'write':
        return this.write(s, t, instr, st, log, where);
      case 'lock':
        if (holder(s.mem, st.lock) === t) {
          return this.violate(s, 'lock_discipline', `${where} takes ${st.lock} twice`);
        }
        s.mem = acquire(s.mem, t, st.lock);
        return log();
      case 'unlock':
        if (holder(s.mem, st.lock) !== t) {
          return this.violate(s, 'lock_discipline',
            `${where} releases ${st.lock}, which it does not hold`);
        }
        s.mem = release(s.mem, t, st.lock);
        return log();
      case 'remove_element':
      case 'add_element':
        return this.reserveStep(s, t, instr, st, log, where);
      case 'backing_alloc': {
        const h = lowestFreeHandle(s.out, s.limit);
        if (h > 0) s.out |= 1 << (h - 1);
        th.locals[instr.slot] = h > 0 ? h : null;
        return log({ text: `${st.into} = alloc_fn() → ${h > 0 ? h : 'null'}` });
      }
      case 'backing_free': {
        const e = instr.expr!(th.locals, this.params);
        if (typeof e === 'number') {
          const bit = 1 << (e - 1);
          if ((s.out & bit) === 0) {
            return this.violate(s, 'no_double_free', `${where} gives element ${e} back to the ` +
              'backing allocator, which does not have it out');
          }
          s.out &= ~bit;
        }
        return log({ text: `free_fn(${formatValue(e)})` });
      }
      case 'enqueue':
      case 'dequeue':
        s.mem = queueSync(s.mem, t, queueLock(st.queue));
        th.queue = st.k === 'enqueue' ? this.queueNames.indexOf(st.queue) : -1;
        th.woken = false;
        return log();
      case 'sleep':
        if (th.woken) return log({ text: `sleep ${st.queue}: already woken, does not sleep` });
        if (this.heldLocks(s, t).length > 0) {
          return this.violate(s, 'no_sleep_under_lock',
            `${where} sleeps holding ${this.heldLocks(s, t).join(', ')}`);
        }
        th.status = ASLEEP;
        return log({ text: `sleep ${st.queue}: asleep` });
      case 'wake':
        return this.wake(s, t, st.queue, log);
    }
  }

  private read(s: State, t: number, instr: LeafInstr, st: Extract<LeafStmt, { k: 'read' }>,
    choice: number, log: Log, where: Where): void {
    const mode = this.readMode(s, t, st.var, this.ops[s.threads[t].op].op.name, st.label);
    if (mode === null) {
      return this.violate(s, 'access_discipline', `${where} reads ${st.var} without ` +
        `${this.guard.get(st.var)} at a step the spec does not declare a lockless read`);
    }
    const { timestamp, value } = readable(s.mem, t, st.var, mode, this.memoryMode)[choice];
    s.mem = doRead(s.mem, t, st.var, timestamp, mode, this.memoryMode);
    s.threads[t].locals[instr.slot] = value;
    log({ text: `${st.into} = ${st.var}`, read: this.readInfo(s, st.var, value, timestamp) });
  }

  private write(s: State, t: number, instr: LeafInstr, st: Extract<LeafStmt, { k: 'write' }>,
    log: Log, where: Where): void {
    const lock = this.guard.get(st.var);
    if (lock && !this.alone && holder(s.mem, lock) !== t) {
      return this.violate(s, 'access_discipline', `${where} writes ${st.var} without ${lock}`);
    }
    const value = toInt(instr.expr!(s.threads[t].locals, this.params));
    const w = doWrite(s.mem, t, st.var, value, lock === null ? 'sc' : 'once', this.memoryMode);
    s.mem = w.memory;
    log({ text: `${st.var} = ${value}`, wrote: { var: st.var, value, timestamp: w.timestamp } });
  }

  /** remove_element/add_element: the reserve and its count change together, under its lock. */
  private reserveStep(s: State, t: number, instr: LeafInstr,
    st: Extract<LeafStmt, { k: 'remove_element' | 'add_element' }>,
    log: Log, where: Where): void {
    const th = s.threads[t];
    const { count, lock } = this.ir.state.reserve;
    if (!this.alone && holder(s.mem, lock) !== t) {
      return this.violate(s, 'access_discipline', `${where}: ${st.k} without ${lock}`);
    }
    // Under the lock, the newest count is the one the thread sees; read it as such so that
    // the count and the stack cannot disagree.
    const r = readLatest(s.mem, t, count, this.memoryMode);
    s.mem = r.memory;
    let text: string;
    let delta: number;
    if (st.k === 'remove_element') {
      const element = s.reserve[s.reserve.length - 1];
      if (element === undefined) {
        return this.violate(s, 'reserve_underflow',
          `${where} takes from an empty reserve (remove_element: BUG_ON(${count} <= 0))`);
      }
      s.reserve = s.reserve.slice(0, -1);
      th.locals[instr.slot] = element;
      text = `${st.into} = remove_element() → ${element}`;
      delta = -1;
    } else {
      const e = instr.expr!(th.locals, this.params);
      if (typeof e !== 'number') {
        return this.violate(s, 'reserve_underflow',
          `${where} adds ${formatValue(e)} to the reserve`);
      }
      s.reserve = [...s.reserve, e];
      text = `add_element(${e})`;
      delta = 1;
    }
    const w = doWrite(s.mem, t, count, r.value + delta, 'once', this.memoryMode);
    s.mem = w.memory;
    log({ text, wrote: { var: count, value: r.value + delta, timestamp: w.timestamp } });
  }

  private wake(s: State, t: number, queue: string, log: Log): void {
    const q = this.queueNames.indexOf(queue);
    s.mem = queueSync(s.mem, t, queueLock(queue));
    const woken: number[] = [];
    for (let u = 0; u < s.threads.length; u++) {
      if (s.threads[u].queue !== q) continue;
      const th = u === t ? s.threads[u] : ownThread(s, u);
      th.woken = true;
      if (th.status === ASLEEP) th.status = RUN;
      woken.push(u);
    }
    if (woken.length > 0) s.woke |= 1 << q;
    log({ text: woken.length === 0 ? `wake ${queue}: nobody on it`
      : `wake ${queue}: wakes ${woken.map((u) => `T${u}`).join(', ')}` });
    this.afterWake(s, woken);
  }

  /** Lets threads a wake made runnable reach their next visible step. */
  protected afterWake(_s: State, _woken: number[]): void {}
}

/** Gives `s` its own copy of thread `u`, so that a step may change another thread (wake). */
export function ownThread(s: State, u: number): ThreadState {
  const th = s.threads[u];
  s.threads[u] = { ...th, locals: th.locals.slice(), regs: th.regs.slice() };
  return s.threads[u];
}


/** A `World` over one state at a time; `of` points it at a state (one instance is reused). */
class StateWorld implements World {
  private s: State | null = null;
  constructor(private readonly steps: StepExecutor) {}

  of(s: State): this {
    this.s = s;
    return this;
  }

  param(name: string): number {
    return this.steps.param(name);
  }

  shared(name: string): number {
    return latestValue(this.s!.mem, varIndex(this.s!.mem, name));
  }

  ghost(name: string): number {
    return this.s!.ghosts[this.steps.ghostIndex(name)];
  }

  waiters(queue: string): number {
    const q = this.steps.queueIndex(queue);
    let n = 0;
    for (const th of this.s!.threads) if (th.queue === q) n++;
    return n;
  }
}
