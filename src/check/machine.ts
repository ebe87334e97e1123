import type { Scenario, SpecIR } from '../ir.ts';
import {
  argValue, callChoices, formatCall, formatValue, regValue, type Call, type ClientProgram,
} from './client.ts';
import type { TraceEvent } from './events.ts';
import { deadViewTable, type Future, type KeyContext } from './keys.ts';
import {
  doRead, doWrite, fenceIsLocal, holder, latestValue, newMemory, readable, type MemoryMode,
} from './memory.ts';
import {
  CheckSpecError, compileExpr, loopAt, toInt, truthy, type CompiledOp, type Value,
} from './program.ts';
import {
  ASLEEP, DONE, RUN, fork, lowestFreeHandle, newThread, outCount, type State, type ThreadState,
} from './state.ts';
import { StepExecutor, queueLock, type LeafInstr } from './steps.ts';

/**
 * The transition system the checker explores: what each thread may do next from a state.
 *
 * A transition is one *visible* step of one thread, a step another thread could observe or
 * be affected by: a shared read or write, lock, unlock, `mb`, a reserve or backing-allocator
 * action, a wait-queue action, a client read or write. The thread's *invisible* steps after
 * it run in the same transition: local computation, `wmb`/`rmb` (they change only the
 * thread's own views), ghost updates (bookkeeping, evaluated atomically with the step before
 * them) and reads of a variable under the lock that guards it (nobody else may write it
 * meanwhile). They commute with every other thread's steps, so folding them loses no
 * behaviour and keeps the state space small. A thread's choice of its next call folds into
 * that call's first visible step the same way. Visible steps join one transition as
 * Lipton's reduction allows (`complete`): right movers (a lock, plain reads) first, then at
 * most one other step, then unlocks.
 *
 * Sleepers run again when a wake finds them on their queue, or, where no thread can run, by
 * their timeout: that keeps the state space finite without losing the retry.
 */

/** How the threads of a configuration get their work. */
export type Workload =
  /** The parameter ranges: each thread makes up to `ops` calls of its choosing. */
  | { kind: 'ranges'; threads: number; ops: number; intRange: number[] }
  | { kind: 'scenario'; scenario: Scenario; programs: ClientProgram[] };

/** A successor state and what led to it. */
export interface Successor {
  state: State;
  /** The thread that moved; -1 for destroy. */
  thread: number;
  /** What happened, step by step (recorded for replays only, not during the search). */
  events: TraceEvent[] | null;
}

/** The successors of a state, and whether no thread could run in it. */
export interface Expansion {
  successors: Successor[];
  /** No thread could take a step: timeouts and destroy are all that is left. */
  quiescent: boolean;
}

/** What a thread running alone got to. */
export interface AloneResult {
  state: State;
  outcome: 'returned' | 'slept' | 'blocked';
  value: Value;
}

/** The most steps a thread takes on its own (no other thread runs) before it is an error. */
export const LOCAL_BUDGET = 10_000;

/**
 * The error for an operation that ran out of `LOCAL_BUDGET` at instruction `pc`: placed at
 * the innermost loop it is in (only a loop can repeat), else at the statement at `pc`.
 */
function endlessLoop(op: CompiledOp, pc: number, what: string, alone = false): CheckSpecError {
  const loop = loopAt(op, pc);
  const instr = op.instrs[pc];
  const loc = loop?.loc ?? (instr && instr.k !== 'jump' ? instr.stmt?.loc : undefined);
  const message = `${op.op.name}: ${loop ? 'this loop never ends' : 'endless local steps'}: ` +
    `${what}`;
  if (!loc) return new CheckSpecError(`${message} (an endless loop?)`);
  return new CheckSpecError(message, { code: 'endless-local-loop', loc,
    hint: 'give the loop a way out (`break`, `return`, or a `while` condition that becomes ' +
      (alone ? 'false): run on its own, the operation must return, sleep or wait for a lock' : 'false), or a shared ' +
      'access (a read or write of a shared variable, a lock, a wait) in every pass') });
}

/**
 * Where a transition is in Lipton's pattern: `rest` (not in a transition: join nothing),
 * `right` (only right movers so far: a lock, plain reads, invisible steps), `committed` (the
 * one step that is neither done: only unlocks, left movers, may follow).
 */
export type Phase = 'rest' | 'right' | 'committed';

/** One configuration's transition system: a spec, parameter values and a workload. */
export class Machine extends StepExecutor {
  /** Threads with the same local state are interchangeable (parameter ranges only). */
  readonly symmetric: boolean;
  /** What state keys need to know of this configuration. */
  readonly keyContext: KeyContext & { future: Future | null };
  private readonly varNames: string[];
  private readonly calls = new Map<string, Call[]>();

  constructor(ir: SpecIR, ops: CompiledOp[], params: Record<string, number>,
    readonly workload: Workload, memoryMode: MemoryMode, private readonly reduce = true) {
    super(ir, ops, params, memoryMode);
    this.symmetric = workload.kind === 'ranges';
    const shared = workload.kind === 'scenario' ? workload.scenario.shared.map((v) => v.name) : [];
    this.varNames = [...ir.state.vars.map((v) => v.name), ...shared];
    const lockKills = this.lockKills();
    this.keyContext = { symmetric: this.symmetric, elemSlots: ops.map((o) => o.elemSlots),
      wokeMatters: workload.kind === 'scenario', lockKills, dead: deadViewTable(lockKills),
      future: null,
      subsumeCalls: workload.kind === 'ranges' && workload.threads <= 7 && workload.ops <= 15 };
  }

  /** `KeyContext.lockKills`: per operation and instruction, the variables a `lock` guards. */
  private lockKills(): number[][][] {
    return this.ops.map((op) => op.instrs.map((instr) => {
      if (instr.k !== 'leaf' || instr.stmt.k !== 'lock') return [];
      const lock = instr.stmt.lock;
      return this.varNames.flatMap((name, x) => (this.guard.get(name) === lock ? [x] : []));
    }));
  }

  // ---- the initial state ------------------------------------------------------------------

  /**
   * The state after `create` (run alone) and, for a scenario, its `start` overrides, with the
   * memory handed to every thread. `null` when create fails.
   */
  initial(): State | null {
    const world = this.paramWorld();
    const vars = this.ir.state.vars.map((v) => ({ name: v.name,
      init: toInt(compileExpr(v.init, [], `var ${v.name}`)([], world)) }));
    let s: State = {
      threads: [newThread(0, [])],
      mem: newMemory(vars, this.lockNames(), 1),
      reserve: [],
      ghosts: this.ir.state.ghosts.map((g) =>
        toInt(compileExpr(g.init, [], `ghost ${g.name}`)([], world))),
      out: 0,
      woke: 0,
      limit: 30,
      destroyed: false,
      violation: null,
    };
    const create = this.ops.find((o) => o.op.name === 'create');
    if (create) {
      const r = this.runExclusive(s, create);
      if (r.outcome !== 'returned' || r.value === false || r.state.violation) return null;
      s = r.state;
    }
    // The backing allocator's capacity counts beyond what create put in the reserve.
    s.limit = outCount(s.out) + (this.paramValues[this.ir.state.backing.capacityParam] ?? 0);
    if (this.workload.kind === 'scenario') s = this.applyStart(s, this.workload.scenario);
    const published = this.publish(s);
    if (this.workload.kind === 'ranges') this.keyContext.future = this.futureOfCalls(published);
    return published;
  }

  /**
   * `KeyContext.future`: which calls reach a read that may return an older message. A call
   * rests, after the steps no other thread can see, at a place that depends only on its
   * arguments, and of an element argument only on whether it is null (handles are
   * anonymous: the pool only moves them and compares them); so each call is tried once from
   * `s`, with an element in hand and without.
   */
  private futureOfCalls(s: State): Future {
    const w = this.workload as Extract<Workload, { kind: 'ranges' }>;
    const future: Future = { readsAhead: this.ops.map((o) => o.readsAhead),
      emitsAhead: this.ops.map((o) => o.emitsAhead),
      givesElement: this.ops.map((o) => o.op.returns === 'elem'),
      readsWithoutElement: false, readsWithElement: false };
    const handle = lowestFreeHandle(s.out, 30);
    for (const held of [[], [handle]]) {
      for (const call of callChoices(this.ops, held, w.intRange)) {
        const next = fork(s, 0);
        next.threads[0].regs = held.slice();
        this.startOp(next, 0, call, null);
        this.settle(next, 0, null);
        const th = next.threads[0];
        const reads = th.op >= 0 && this.ops[th.op].readsAhead[th.pc];
        if (call.args.some((a, i) => call.op.op.params[i].type === 'elem' && a !== null)) {
          future.readsWithElement ||= reads;
        } else {
          future.readsWithoutElement ||= reads;
        }
      }
    }
    return future;
  }

  private applyStart(s: State, scenario: Scenario): State {
    const poolVars = this.ir.state.vars.length;
    const values = this.ir.state.vars.map((_, x) => latestValue(s.mem, x));
    const ghosts = s.ghosts.slice();
    for (const [name, value] of Object.entries(scenario.start)) {
      const x = this.varNames.indexOf(name);
      const g = this.ghostNames.indexOf(name);
      if (x >= 0 && x < poolVars) values[x] = value;
      else if (g >= 0) ghosts[g] = value;
      else throw new CheckSpecError(`scenario ${scenario.name}: start names no pool variable ` +
        `or ghost '${name}'`);
    }
    // The reserve keeps curr_nr elements; those beyond were handed out, bottom first, so
    // that they are the handles 1, 2, ... the scenario's threads refer to.
    const count = this.varNames.indexOf(this.ir.state.reserve.count);
    const reserve = s.reserve.slice();
    let out = s.out;
    while (reserve.length > values[count]) reserve.shift();
    while (reserve.length < values[count]) {
      const h = lowestFreeHandle(out, 30);
      out |= 1 << (h - 1);
      reserve.push(h);
    }
    const vars = this.ir.state.vars.map((v, x) => ({ name: v.name, init: values[x] }));
    return { ...s, mem: newMemory(vars, this.lockNames(), 1), reserve, ghosts, out };
  }

  /** The memory as every thread sees it once the pool is handed to them. */
  private publish(s: State): State {
    const w = this.workload;
    const shared = w.kind === 'scenario' ? w.scenario.shared : [];
    const vars = [
      ...this.ir.state.vars.map((v, x) => ({ name: v.name, init: latestValue(s.mem, x) })),
      ...shared.map((v) => ({ name: v.name, init: v.init })),
    ];
    const n = w.kind === 'ranges' ? w.threads : w.programs.length;
    const threads: ThreadState[] = [];
    for (let t = 0; t < n; t++) {
      threads.push(w.kind === 'ranges'
        ? newThread(w.ops, [])
        : newThread(0, w.programs[t].regs.map(() => 0)));
    }
    const next: State = { ...s, threads, mem: newMemory(vars, this.lockNames(), n) };
    for (let t = 0; t < n; t++) this.settle(next, t, null);
    return next;
  }

  private lockNames(): string[] {
    return [...this.ir.state.locks.map((l) => l.name), ...this.queueNames.map(queueLock)];
  }

  // ---- successors ---------------------------------------------------------------------------

  /** Every successor of `s`, in a fixed order (replay tokens index into it). */
  expand(s: State, log: boolean): Expansion {
    const successors: Successor[] = [];
    for (let t = 0; t < s.threads.length; t++) {
      if (this.symmetric && this.sameAsEarlier(s, t)) continue;
      this.expandThread(s, t, successors, log);
    }
    if (successors.length > 0) return { successors, quiescent: false };
    for (let t = 0; t < s.threads.length; t++) {
      if (s.threads[t].status !== ASLEEP) continue;
      if (this.symmetric && this.sameAsEarlier(s, t)) continue;
      const next = fork(s, t);
      const events: TraceEvent[] | null = log ? [] : null;
      const queue = this.queueNames[next.threads[t].queue] ?? 'its wait queue';
      events?.push(this.event(next, t, 'timeout', `times out on ${queue} and retries`));
      next.threads[t].status = RUN;
      this.settle(next, t, events);
      successors.push({ state: next, thread: t, events });
    }
    if (successors.length === 0 && this.canDestroy(s)) successors.push(this.destroy(s, log));
    return { successors, quiescent: true };
  }

  /** In a symmetric workload, a thread in the same local state as an earlier one. */
  private sameAsEarlier(s: State, t: number): boolean {
    const me = s.threads[t];
    for (let u = 0; u < t; u++) {
      const other = s.threads[u];
      if (other.op === me.op && other.pc === me.pc && other.status === me.status &&
        other.cpc === me.cpc && other.queue === me.queue && other.woken === me.woken &&
        sameValues(other.locals, me.locals) && sameValues(other.regs, me.regs) &&
        sameViews(s, u, t) && !this.holdsAny(s, u)) return true;
    }
    return false;
  }

  private holdsAny(s: State, t: number): boolean {
    return s.mem.locks.some((l) => l.holder === t);
  }

  private expandThread(s: State, t: number, out: Successor[], log: boolean): void {
    const th = s.threads[t];
    if (th.status !== RUN) return;
    if (th.op >= 0 || this.workload.kind === 'scenario') {
      this.expandVisible(s, t, out, log ? [] : null);
      return;
    }
    for (const call of this.callsFor(th.regs, this.workload.intRange)) {
      const next = fork(s, t);
      const events: TraceEvent[] | null = log ? [] : null;
      this.startOp(next, t, call, events);
      this.settle(next, t, events);
      const moved = next.threads[t];
      if (!next.violation && moved.op < 0 && next.mem === s.mem && moved.status === RUN) {
        // The call touched nothing shared (free(null)): it changes nothing but the budget,
        // and fewer calls are explored anyway, so it leaves the state as it was.
        moved.cpc = th.cpc;
        out.push({ state: next, thread: t, events });
      } else if (next.violation || moved.op < 0 || moved.status !== RUN) {
        out.push({ state: next, thread: t, events });
      } else {
        this.expandVisible(next, t, out, events, true);
      }
    }
    if (!this.reduce || !someoneMidOp(s)) {
      const stop = fork(s, t);
      stop.threads[t].status = DONE;
      stop.threads[t].cpc = 0;
      out.push({ state: stop, thread: t,
        events: log ? [this.event(stop, t, 'stop', 'makes no more calls')] : null });
    }
  }

  /** `callChoices` for a thread holding `held`, computed once per distinct holding. */
  private callsFor(held: readonly Value[], intRange: readonly number[]): Call[] {
    const key = held.join(',');
    let calls = this.calls.get(key);
    if (calls === undefined) this.calls.set(key, (calls = callChoices(this.ops, held, intRange)));
    return calls;
  }

  /**
   * Performs the visible step `t` rests at, once per way it can go. With `own`, `s` is the
   * caller's private copy, and the last way may change it rather than a fork of it.
   */
  private expandVisible(s: State, t: number, out: Successor[], prefix: TraceEvent[] | null,
    own = false): void {
    const n = this.choiceCount(s, t);
    for (let c = 0; c < n; c++) {
      const next = own && c === n - 1 ? s : fork(s, t);
      const events = prefix ? prefix.slice() : null;
      const phase = this.perform(next, t, c, events);
      if (next.violation) out.push({ state: next, thread: t, events });
      else this.complete(next, t, events, phase, out);
    }
  }

  /** How many ways the visible step `t` rests at can go; 0 when it is blocked. */
  private choiceCount(s: State, t: number): number {
    const th = s.threads[t];
    if (th.op < 0) {
      if (this.workload.kind !== 'scenario') return 0;
      const instr = this.workload.programs[t].instrs[th.cpc];
      if (instr?.k === 'read') return readable(s.mem, t, instr.var, 'once', this.memoryMode).length;
      return instr?.k === 'write' ? 1 : 0;
    }
    const instr = this.ops[th.op].instrs[th.pc];
    if (instr.k !== 'leaf') return 1;
    const st = instr.stmt;
    if (st.k === 'lock') {
      const who = holder(s.mem, st.lock);
      return who === null || who === t ? 1 : 0;
    }
    if (st.k === 'read') {
      const mode = this.readMode(s, t, st.var, this.ops[th.op].op.name, st.label);
      return mode === null ? 1 : readable(s.mem, t, st.var, mode, this.memoryMode).length;
    }
    return 1;
  }

  /** Performs the visible step `t` rests at; returns the phase its transition is in. */
  private perform(s: State, t: number, choice: number, events: TraceEvent[] | null): Phase {
    const th = s.threads[t];
    if (th.op >= 0) {
      const instr = this.ops[th.op].instrs[th.pc] as LeafInstr;
      this.execLeaf(s, t, instr, choice, events);
      return instr.stmt.k === 'lock' || this.rightMoverRead(s, t, instr) ? 'right' : 'committed';
    }
    if (this.workload.kind !== 'scenario') return 'committed';
    const program = this.workload.programs[t];
    const instr = program.instrs[th.cpc];
    if (instr.k === 'read') {
      const { timestamp, value } = readable(s.mem, t, instr.var, 'once', this.memoryMode)[choice];
      s.mem = doRead(s.mem, t, instr.var, timestamp, 'once', this.memoryMode);
      th.regs[instr.slot] = value;
      events?.push(this.event(s, t, 'client-read',
        `${program.regs[instr.slot]} = READ_ONCE(${instr.var})`,
        { line: instr.stmt.loc.line, read: this.readInfo(s, instr.var, value, timestamp) }));
    } else if (instr.k === 'write') {
      const value = toInt(instr.expr(th.regs, this.paramWorld()));
      const w = doWrite(s.mem, t, instr.var, value, 'once', this.memoryMode);
      s.mem = w.memory;
      events?.push(this.event(s, t, 'client-write', `WRITE_ONCE(${instr.var}, ${value})`,
        { line: instr.stmt.loc.line, wrote: { var: instr.var, value, timestamp: w.timestamp } }));
    }
    th.cpc += 1;
    return 'committed';
  }

  // ---- invisible steps ----------------------------------------------------------------------

  /**
   * Runs `t`'s invisible steps until it rests at a visible one, finishes or sleeps: where a
   * thread stands between transitions.
   */
  settle(s: State, t: number, events: TraceEvent[] | null): void {
    const instr = this.advance(s, t, events);
    if (instr) clearDead(s.threads[t], this.ops[s.threads[t].op]);
  }

  /**
   * Completes the transition `t` is in (`phase` after its first visible step) and pushes
   * its successors onto `out`: one, or one per value a joined read may return, or none when
   * the transition would block at a lock.
   *
   * Lipton's reduction decides which visible steps join: right movers first (a `lock`, and
   * plain reads: another thread's step never changes what a plain read of a given message
   * does, and a read later has every message it had earlier to choose from), then at most
   * one step that is neither, then `unlock`s (left movers). So `rmb; read curr_nr; read
   * min_nr; lock; ...; add_element; unlock` is one transition, and so is a critical section
   * with one observable step. The states skipped differ from the ones kept only in the
   * moving thread's views and place, which no invariant looks at. Reads under the lock that
   * guards the variable are invisible anyway.
   */
  private complete(s: State, t: number, events: TraceEvent[] | null, phase: Phase,
    out: Successor[]): void {
    for (;;) {
      const instr = this.advance(s, t, events);
      if (instr === null) break;
      const th = s.threads[t];
      const join = this.joins(s, t, instr, phase);
      if (join === 'no') {
        clearDead(th, this.ops[th.op]);
        break;
      }
      if (join === 'blocked') return;
      if (join === 'read') {
        const n = this.choiceCount(s, t);
        for (let c = 0; c < n; c++) {
          // Every branch forks before the last one changes `s`.
          const next = c < n - 1 ? fork(s, t) : s;
          const ev = events && c < n - 1 ? events.slice() : events;
          this.execLeaf(next, t, instr, c, ev);
          if (next.violation) out.push({ state: next, thread: t, events: ev });
          else this.complete(next, t, ev, 'right', out);
        }
        return;
      }
      if (join === 'right') {
        this.execLeaf(s, t, instr, 0, events);
        continue;
      }
      phase = 'committed';
      this.execLeaf(s, t, instr, 0, events);
    }
    out.push({ state: s, thread: t, events });
  }

  /**
   * Runs `t`'s invisible steps; returns the visible step it then rests at, or null when it
   * finished its operation, went to sleep, stopped or broke a property.
   */
  private advance(s: State, t: number, events: TraceEvent[] | null): LeafInstr | null {
    const th = s.threads[t];
    for (let i = 0; i < LOCAL_BUDGET; i++) {
      if (s.violation || th.status !== RUN) return null;
      if (th.op < 0) {
        if (!this.clientStep(s, t, events)) return null;
        continue;
      }
      const instr = this.ops[th.op].instrs[th.pc];
      switch (instr.k) {
        case 'branch':
          th.pc = truthy(instr.cond(th.locals, this.paramWorld())) ? th.pc + 1 : instr.target;
          break;
        case 'jump':
          th.pc = instr.target;
          break;
        case 'return':
          this.finishOp(s, t, instr.expr ? instr.expr(th.locals, this.paramWorld()) : null, events);
          break;
        case 'leaf':
          if (!this.invisible(s, t, instr)) return instr;
          this.execLeaf(s, t, instr, 0, events);
      }
    }
    if (th.op < 0) {
      throw new CheckSpecError(`a client: ${LOCAL_BUDGET} steps without a shared access ` +
        '(an endless loop?)');
    }
    throw endlessLoop(this.ops[th.op], th.pc, `${LOCAL_BUDGET} steps without a shared access`);
  }

  /**
   * How a visible step joins the transition in progress (see `complete`): `no` (the
   * transition ends before it), `right` (a lock that joins), `read` (a plain read that joins,
   * once per value), `commit` (the one other step), `blocked` (a lock held by another thread
   * after reads: the transition cannot complete now; it will, with the same reads, once the
   * lock is free).
   */
  private joins(s: State, t: number, instr: LeafInstr,
    phase: Phase): 'no' | 'right' | 'read' | 'commit' | 'blocked' {
    if (phase === 'rest' || !this.reduce) return 'no';
    const k = instr.stmt.k;
    if (k === 'unlock') return 'commit';
    if (phase !== 'right') return 'no';
    if (this.rightMoverRead(s, t, instr)) return 'read';
    if (k === 'lock') {
      if (this.heldLocks(s, t).length > 0) return 'no';
      return this.choiceCount(s, t) === 1 ? 'right' : 'blocked';
    }
    return this.choiceCount(s, t) === 1 ? 'commit' : 'no';
  }

  /** A plain read (`READ_ONCE`, no ordering of its own): a right mover. */
  private rightMoverRead(s: State, t: number, instr: LeafInstr): boolean {
    const st = instr.stmt;
    if (st.k !== 'read' || this.memoryMode.sc) return false;
    return this.readMode(s, t, st.var, this.ops[s.threads[t].op].op.name, st.label) === 'once';
  }

  protected override afterWake(s: State, woken: number[]): void {
    for (const u of woken) if (s.threads[u].status === RUN) this.settle(s, u, null);
  }

  private invisible(s: State, t: number, instr: LeafInstr): boolean {
    const st = instr.stmt;
    switch (st.k) {
      case 'let':
      case 'ghost':
        return true;
      case 'fence':
        return fenceIsLocal(st.fence);
      case 'read': {
        const lock = this.guard.get(st.var);
        if (lock === undefined || lock === null || holder(s.mem, lock) !== t) return false;
        return readable(s.mem, t, st.var, 'once', this.memoryMode).length === 1;
      }
      default:
        return false;
    }
  }

  /** One step of the client between calls; false when it rests (or stops). */
  private clientStep(s: State, t: number, events: TraceEvent[] | null): boolean {
    const th = s.threads[t];
    if (this.workload.kind === 'ranges') {
      if (th.cpc === 0) th.status = DONE;
      return false;
    }
    const instr = this.workload.programs[t].instrs[th.cpc];
    if (instr === undefined) {
      th.status = DONE;
      return false;
    }
    switch (instr.k) {
      case 'branch':
        th.cpc = truthy(instr.cond(th.regs, this.paramWorld())) ? th.cpc + 1 : instr.target;
        return true;
      case 'jump':
        th.cpc = instr.target;
        return true;
      case 'call': {
        const args = instr.args.map((a, i) =>
          argValue(a(th.regs, this.paramWorld()), instr.op.op.params[i].type));
        this.startOp(s, t, { op: instr.op, args }, events);
        return true;
      }
      default:
        return false;
    }
  }

  private startOp(s: State, t: number, call: Call, events: TraceEvent[] | null): void {
    const th = s.threads[t];
    th.op = call.op.index;
    th.pc = 0;
    th.locals = call.op.slots.map((_, i) => (i < call.args.length ? call.args[i] : null));
    if (this.workload.kind === 'ranges') {
      th.cpc -= 1;
      // The element leaves the client's hands when it is passed to free.
      call.op.op.params.forEach((p, i) => {
        if (p.type === 'elem') th.regs = th.regs.filter((h) => h !== call.args[i]);
      });
    }
    events?.push(this.event(s, t, 'call', `calls ${formatCall(call.op.op, call.args)}`,
      { op: call.op.op.name, line: call.op.op.loc.line }));
  }

  private finishOp(s: State, t: number, value: Value, events: TraceEvent[] | null): void {
    const th = s.threads[t];
    const op = this.ops[th.op].op;
    const held = this.heldLocks(s, t);
    if (held.length > 0 && !this.alone) {
      this.violate(s, 'unlock_before_return',
        `T${t}: ${op.name} returns holding ${held.join(', ')}`);
      return;
    }
    events?.push(this.event(s, t, 'return', op.returns === 'void'
      ? `${op.name} returns` : `${op.name} returns ${formatValue(value)}`, { op: op.name }));
    th.op = -1;
    th.locals = [];
    th.pc = 0;
    if (this.workload.kind === 'ranges') {
      if (op.returns === 'elem' && typeof value === 'number') {
        th.regs = [...th.regs, value].sort((a, b) => (a as number) - (b as number));
      }
      return;
    }
    const instr = this.workload.programs[t].instrs[th.cpc];
    if (instr?.k === 'call' && instr.slot >= 0) th.regs[instr.slot] = regValue(value);
    th.cpc += 1;
  }

  // ---- running alone ------------------------------------------------------------------------

  /**
   * Runs thread `t` alone from where it is, every read taking the newest message, until its
   * operation returns, it sleeps, or it would wait for a lock. `s` is not changed.
   */
  runAlone(s: State, t: number, events: TraceEvent[] | null = null): AloneResult {
    const state = fork(s, t);
    const th = state.threads[t];
    th.status = RUN;
    for (let i = 0; i < LOCAL_BUDGET; i++) {
      if (state.violation) return { state, outcome: 'blocked', value: null };
      if (th.status === ASLEEP) return { state, outcome: 'slept', value: null };
      const instr = this.ops[th.op].instrs[th.pc];
      switch (instr.k) {
        case 'branch':
          th.pc = truthy(instr.cond(th.locals, this.paramWorld())) ? th.pc + 1 : instr.target;
          break;
        case 'jump':
          th.pc = instr.target;
          break;
        case 'return':
          return { state, outcome: 'returned',
            value: instr.expr ? instr.expr(th.locals, this.paramWorld()) : null };
        case 'leaf': {
          const st = instr.stmt;
          if (st.k === 'lock' && holder(state.mem, st.lock) !== null) {
            return { state, outcome: 'blocked', value: null };
          }
          const newest = st.k === 'read' ? this.choiceCount(state, t) - 1 : 0;
          this.execLeaf(state, t, instr, Math.max(newest, 0), events);
        }
      }
    }
    throw endlessLoop(this.ops[th.op], th.pc, `no return after ${LOCAL_BUDGET} steps`, true);
  }

  /** Runs an exclusive operation (create, destroy) from its start on thread 0, alone. */
  runExclusive(s: State, op: CompiledOp, events: TraceEvent[] | null = null): AloneResult {
    const start = fork(s, 0);
    start.threads[0] = { ...newThread(0, []), op: op.index, locals: op.slots.map(() => null) };
    events?.push(this.event(start, -1, 'call', `calls ${op.op.name}()`, { op: op.op.name }));
    this.alone = true;
    try {
      return this.runAlone(start, 0, events);
    } finally {
      this.alone = false;
    }
  }

  /** Whether destroy may run: every thread has stopped and the pool still exists. */
  private canDestroy(s: State): boolean {
    return this.workload.kind === 'ranges' && !s.destroyed &&
      this.ops.some((o) => o.op.name === 'destroy') && s.threads.every((th) => th.status === DONE);
  }

  private destroy(s: State, log: boolean): Successor {
    const op = this.ops.find((o) => o.op.name === 'destroy')!;
    const events: TraceEvent[] | null = log ? [] : null;
    // The threads have stopped and joined: destroy sees every write.
    const vars = s.mem.layout.vars.map((v, x) => ({ name: v.name, init: latestValue(s.mem, x) }));
    const joined: State = { ...s, mem: newMemory(vars, this.lockNames(), s.threads.length) };
    const r = this.runExclusive(joined, op, events);
    const state: State = { ...r.state, threads: s.threads, destroyed: true };
    if (r.outcome !== 'returned' && !state.violation) {
      state.violation = { property: 'destroy_completes', message: `destroy ${r.outcome}` };
    }
    return { state, thread: -1, events };
  }

  /** The element handles each thread holds (parameter ranges). */
  heldElements(s: State): number[] {
    return this.workload.kind === 'ranges' ? s.threads.flatMap((th) => th.regs as number[]) : [];
  }
}

/**
 * Whether some thread is inside an operation and not asleep. A thread's `stop` is only
 * offered when none is: stopping changes nothing but the thread's own status, so it commutes
 * with every step of every other thread, and the only transitions that look at it (a
 * timeout, destroy, and the judging of a quiescent state) happen where no thread is inside an
 * operation and awake. So every run with an earlier `stop` has a run with the `stop` moved
 * right, up to such a state, that passes through the same states with the thread still
 * between calls (which satisfy the same invariants: they do not mention thread status) and
 * then reaches the same states. This saves the copies of every state in which a
 * thread between calls has stopped already; it is the single-choice case of a persistent-set
 * reduction. A stopped thread's call budget no longer matters, so it is cleared.
 */
function someoneMidOp(s: State): boolean {
  for (const th of s.threads) if (th.status === RUN && th.op >= 0) return true;
  return false;
}

/** Forgets locals no later step reads, so that states differing only in them are one. */
function clearDead(th: ThreadState, op: CompiledOp): void {
  const live = op.live[th.pc];
  for (let i = 0; i < th.locals.length; i++) if (!live[i]) th.locals[i] = null;
}

function sameViews(s: State, u: number, t: number): boolean {
  const a = s.mem.threads[u];
  const b = s.mem.threads[t];
  return a === b || (sameNumbers(a.cur, b.cur) && sameNumbers(a.seen, b.seen) &&
    sameNumbers(a.carry, b.carry) && sameNumbers(a.own, b.own));
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameValues(a: readonly Value[], b: readonly Value[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
