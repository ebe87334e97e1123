import type { Expr, Outcome, SpecIR } from '../ir.ts';
import { formatCall, regValue } from './client.ts';
import type { Machine } from './machine.ts';
import { latestValue } from './memory.ts';
import { compileExpr, type CompiledExpr } from './program.ts';
import { ASLEEP, outCount, type State, type Violation } from './state.ts';

/**
 * The properties the checker judges, and how: the spec's invariants in every state while the
 * pool exists, its liveness properties where no thread can run, a scenario's outcome where
 * its threads have stopped, and the checker's own safety properties that single steps can
 * break (reported by the steps themselves).
 */

/** A property as `--json` lists it. */
export interface PropertyInfo {
  name: string;
  kind: 'invariant' | 'liveness' | 'builtin' | 'scenario';
  doc: string;
}

/** Safety properties every spec gets, whatever it declares. */
export const BUILTIN_PROPERTIES: PropertyInfo[] = [
  { name: 'lock_discipline', kind: 'builtin', doc: 'No lock is taken twice or released unheld.' },
  { name: 'access_discipline', kind: 'builtin',
    doc: 'Guarded variables and the reserve are accessed under their lock, or read at a ' +
      'declared lockless read.' },
  { name: 'unlock_before_return', kind: 'builtin', doc: 'No operation returns holding a lock.' },
  { name: 'no_sleep_under_lock', kind: 'builtin', doc: 'No thread sleeps holding a spin lock.' },
  { name: 'reserve_underflow', kind: 'builtin',
    doc: 'remove_element never finds the reserve empty (the kernel BUG_ONs).' },
  { name: 'no_double_free', kind: 'builtin',
    doc: 'free_fn only gets elements the backing allocator has out.' },
  { name: 'elements_conserved', kind: 'builtin',
    doc: 'After destroy, the backing allocator has out exactly the elements the threads hold.' },
  { name: 'destroy_completes', kind: 'builtin', doc: 'destroy, run alone at the end, returns.' },
];

/** Every property checked for `ir`. */
export function listProperties(ir: SpecIR): PropertyInfo[] {
  return [
    ...ir.invariants.map((i) => ({ name: i.name, kind: 'invariant' as const, doc: i.doc })),
    ...ir.liveness.map((l) => ({ name: l.name, kind: 'liveness' as const, doc: l.doc })),
    ...ir.scenarios.map((s) => ({ name: `scenario ${s.name}`, kind: 'scenario' as const,
      doc: `${s.expect} ${formatOutcome(s.outcome)}` })),
    ...BUILTIN_PROPERTIES,
  ];
}

/** Judges the states of one configuration. */
export class Judge {
  private readonly invariants: { name: string; holds: CompiledExpr; names: Expr[] }[];

  constructor(private readonly machine: Machine) {
    this.invariants = machine.ir.invariants.map((inv) => ({
      name: inv.name,
      holds: compileExpr(inv.expr, [], `invariant ${inv.name}`),
      names: namesIn(inv.expr),
    }));
  }

  /** What is wrong with `s` itself: a step's violation, an invariant, lost elements. */
  checkState(s: State): Violation | null {
    if (s.violation) return s.violation;
    if (s.destroyed) return this.conservation(s);
    const world = this.machine.worldOf(s);
    for (const inv of this.invariants) {
      if (inv.holds([], world) !== true) {
        const values = inv.names.map((e) =>
          `${nameOf(e)}=${String(compileExpr(e, [], '')([], world))}`);
        // An invariant over constants alone names nothing: no empty parentheses then.
        return { property: inv.name, message: `invariant ${inv.name} does not hold` +
          (values.length > 0 ? ` (${values.join(', ')})` : '') };
      }
    }
    return null;
  }

  private conservation(s: State): Violation | null {
    const held = this.machine.heldElements(s).length;
    const out = outCount(s.out);
    if (held === out) return null;
    return { property: 'elements_conserved', message: `after destroy the backing allocator ` +
      `has ${out} element(s) out, but the threads hold ${held}` };
  }

  /** What is wrong with a state where no thread can run: a dangling waiter, an outcome. */
  checkQuiescent(s: State): Violation | null {
    for (const live of this.machine.ir.liveness) {
      const dangling = this.danglingWaiter(s, live.queue);
      if (dangling) return { property: live.name, message: dangling };
    }
    const w = this.machine.workload;
    if (w.kind === 'scenario' && w.scenario.expect === 'never' && this.outcomeHolds(s)) {
      return { property: `scenario ${w.scenario.name}`,
        message: `the outcome it must never show happens: ${formatOutcome(w.scenario.outcome)}` };
    }
    return null;
  }

  private danglingWaiter(s: State, queue: string): string | null {
    const q = this.machine.ir.state.queues.findIndex((d) => d.name === queue);
    for (let t = 0; t < s.threads.length; t++) {
      const th = s.threads[t];
      if (th.status !== ASLEEP || (th.queue !== q && th.queue !== -1)) continue;
      const retry = this.machine.runAlone(s, t);
      if (retry.outcome !== 'returned') continue;
      const op = this.machine.ops[th.op].op;
      const args = op.params.map((_, i) => th.locals[i]);
      return `T${t} sleeps on ${queue} although a retry of ${formatCall(op, args)} would ` +
        `return ${retry.value === null ? 'null' : String(retry.value)} now`;
    }
    return null;
  }

  /** Whether the scenario's outcome holds in `s`. */
  outcomeHolds(s: State): boolean {
    const w = this.machine.workload;
    if (w.kind !== 'scenario') return false;
    return this.evalOutcome(w.scenario.outcome, s);
  }

  private evalOutcome(o: Outcome, s: State): boolean {
    const w = this.machine.workload;
    if (w.kind !== 'scenario') return false;
    switch (o.k) {
      case 'reg': {
        const regs = w.programs[o.thread].regs;
        return regValue(s.threads[o.thread].regs[regs.indexOf(o.reg)]) === o.value;
      }
      case 'var': {
        const x = s.mem.layout.vars.findIndex((v) => v.name === o.var);
        if (x >= 0) return latestValue(s.mem, x) === o.value;
        return this.machine.worldOf(s).ghost(o.var) === o.value;
      }
      case 'waiters':
        return this.machine.worldOf(s).waiters(o.queue) === o.value;
      case 'woken': {
        const q = this.machine.ir.state.queues.findIndex((d) => d.name === o.queue);
        return ((s.woke >> q) & 1) === o.value;
      }
      case 'and':
        return o.args.every((a) => this.evalOutcome(a, s));
      case 'or':
        return o.args.some((a) => this.evalOutcome(a, s));
      case 'not':
        return !this.evalOutcome(o.arg, s);
    }
  }
}

/**
 * The shared variables, ghosts, queue sizes and spec parameters an expression mentions, once
 * each: the values a broken invariant's message shows.
 */
function namesIn(e: Expr, out: Expr[] = []): Expr[] {
  if (e.k === 'shared' || e.k === 'ghost' || e.k === 'waiters' || e.k === 'param') {
    if (!out.some((o) => nameOf(o) === nameOf(e))) out.push(e);
  } else if (e.k === 'not') {
    namesIn(e.arg, out);
  } else if (e.k === 'bin') {
    namesIn(e.left, out);
    namesIn(e.right, out);
  } else if (e.k === 'call') {
    for (const a of e.args) namesIn(a, out);
  }
  return out;
}

function nameOf(e: Expr): string {
  if (e.k === 'waiters') return `waiters(${e.queue})`;
  return e.k === 'shared' || e.k === 'ghost' || e.k === 'param' ? e.name : '';
}

/** An outcome as the spec writes it. */
export function formatOutcome(o: Outcome, threadNames?: string[]): string {
  switch (o.k) {
    case 'reg':
      return `${threadNames?.[o.thread] ?? `P${o.thread}`}.${o.reg} == ${o.value}`;
    case 'var':
      return `${o.var} == ${o.value}`;
    case 'waiters':
      return `waiters(${o.queue}) == ${o.value}`;
    case 'woken':
      return `woken(${o.queue}) == ${o.value}`;
    case 'and':
      return o.args.map((a) => wrap(a, threadNames)).join(' && ');
    case 'or':
      return o.args.map((a) => wrap(a, threadNames)).join(' || ');
    case 'not':
      return `!${wrap(o.arg, threadNames)}`;
  }
}

function wrap(o: Outcome, names?: string[]): string {
  const text = formatOutcome(o, names);
  return o.k === 'and' || o.k === 'or' ? `(${text})` : text;
}
