/**
 * The lock discipline of an operation, checked on its lowered steps.
 *
 * Walks every path through the body (through `if`, `loop`, `break`, `continue`, `return`)
 * with the set of locks held, and rejects: a lock-guarded variable read or written, or the
 * reserve used, where its lock may not be held and no lockless read is declared for that
 * step; an unlock of a lock that may not be held; a lock that may already be held; a return
 * (or the end of the body) that may hold a lock; the end of a non-void body being reachable.
 * Operations marked `exclusive` skip the access checks: nobody else can see the pool then.
 */
import type { LoweredOp } from './lower.ts';
import {
  lockAlreadyHeld,
  missingReturn,
  returnHoldingLock,
  unguardedAccess,
  unlockNotHeld,
} from './errors.ts';
import { describeType } from './expr.ts';
import type { Symbols } from './symbols.ts';
import type { Stmt } from '../ir.ts';

/** The locks one path holds, and the locks it has taken at some point, both sorted. */
export interface LockState {
  held: readonly string[];
  taken: readonly string[];
}

/** The distinct lock states the paths reaching a point have, keyed for set semantics. */
export type LockStates = ReadonlyMap<string, LockState>;

/** What the analysis learnt: the lock states before every reachable step. */
export interface LockFacts {
  before: Map<Stmt, LockStates>;
}

interface Flow {
  out: LockStates;
  breaks: LockStates;
  continues: LockStates;
}

const none: LockStates = new Map();

/**
 * Checks the lock discipline of `lowered` and returns the lock states at each step.
 *
 * @throws SpecError `unguarded-access`, `unlock-not-held`, `lock-already-held`,
 *   `return-holding-lock` or `missing-return`.
 */
export function checkLocks(sym: Symbols, lowered: LoweredOp): LockFacts {
  return new LockChecker(sym, lowered).run();
}

class LockChecker {
  private readonly before = new Map<Stmt, LockStates>();
  /** `var` -> the `op.label`s where it may be read without its lock. */
  private readonly lockless = new Map<string, Set<string>>();

  constructor(
    private readonly sym: Symbols,
    private readonly lowered: LoweredOp,
  ) {
    for (const [name, decl] of sym.vars) {
      if (decl.access.kind !== 'guarded') continue;
      const labels = decl.access.locklessReads.map((r) => `${r.op.text}.${r.label.text}`);
      this.lockless.set(name, new Set(labels));
    }
  }

  run(): LockFacts {
    const { decl, op } = this.lowered;
    const start = stateSet([{ held: [], taken: [] }]);
    const flow = this.block(op.body, start);
    const end = { start: decl.span.end - 1, end: decl.span.end };
    if (flow.out.size > 0 && op.returns !== 'void') {
      throw missingReturn(this.sym.src, end, op.name, describeType(op.returns));
    }
    for (const state of flow.out.values()) {
      if (state.held.length > 0) throw returnHoldingLock(this.sym.src, end, state.held);
    }
    return { before: this.before };
  }

  private block(stmts: Stmt[], input: LockStates): Flow {
    let states = input;
    let breaks: LockStates = none;
    let continues: LockStates = none;
    for (const s of stmts) {
      if (states.size === 0) break;
      const flow = this.stmt(s, states);
      states = flow.out;
      breaks = union(breaks, flow.breaks);
      continues = union(continues, flow.continues);
    }
    return { out: states, breaks, continues };
  }

  private stmt(s: Stmt, input: LockStates): Flow {
    this.before.set(s, union(this.before.get(s) ?? none, input));
    const through = (out: LockStates): Flow => ({ out, breaks: none, continues: none });
    const span = this.lowered.spans.get(s)!;
    switch (s.k) {
      case 'lock':
        return through(
          map(input, (st) => {
            if (st.held.includes(s.lock)) throw lockAlreadyHeld(this.sym.src, span, s.lock);
            return { held: add(st.held, s.lock), taken: add(st.taken, s.lock) };
          }),
        );
      case 'unlock':
        return through(
          map(input, (st) => {
            if (!st.held.includes(s.lock)) throw unlockNotHeld(this.sym.src, span, s.lock);
            return { held: st.held.filter((l) => l !== s.lock), taken: st.taken };
          }),
        );
      case 'read':
        this.requireLock(input, s, s.var, 'read');
        return through(input);
      case 'write':
        this.requireLock(input, s, s.var, 'write');
        return through(input);
      case 'remove_element':
      case 'add_element':
        this.requireLock(input, s, this.sym.reserve.count.text, 'reserve');
        return through(input);
      case 'return':
        for (const st of input.values()) {
          if (st.held.length > 0) throw returnHoldingLock(this.sym.src, span, st.held);
        }
        return through(none);
      case 'break':
        return { out: none, breaks: input, continues: none };
      case 'continue':
        return { out: none, breaks: none, continues: input };
      case 'if': {
        const then = this.block(s.then, input);
        const otherwise = this.block(s.else, input);
        return {
          out: union(then.out, otherwise.out),
          breaks: union(then.breaks, otherwise.breaks),
          continues: union(then.continues, otherwise.continues),
        };
      }
      case 'loop': {
        let head = input;
        for (;;) {
          const body = this.block(s.body, head);
          const next = union(input, union(body.out, body.continues));
          if (next.size === head.size) return through(body.breaks);
          head = next;
        }
      }
      default:
        return through(input);
    }
  }

  /** Throws unless every state holds the lock guarding `variable` (or a lockless read). */
  private requireLock(
    input: LockStates,
    step: Stmt,
    variable: string,
    access: 'read' | 'write' | 'reserve',
  ): void {
    if (this.lowered.op.exclusive) return;
    const decl = this.sym.vars.get(variable);
    const lock =
      access === 'reserve'
        ? this.sym.reserve.lock.text
        : decl?.access.kind === 'guarded'
          ? decl.access.lock.text
          : undefined;
    if (lock === undefined) return;
    const opName = this.lowered.op.name;
    const declared = this.lockless.get(variable);
    if (access === 'read' && step.label !== undefined && declared?.has(`${opName}.${step.label}`)) {
      return;
    }
    for (const st of input.values()) {
      if (!st.held.includes(lock)) {
        const span = this.lowered.spans.get(step)!;
        throw unguardedAccess(this.sym.src, span, variable, lock, access, opName);
      }
    }
  }
}

function keyOf(state: LockState): string {
  return `${state.held.join(',')}|${state.taken.join(',')}`;
}

function stateSet(states: Iterable<LockState>): LockStates {
  const out = new Map<string, LockState>();
  for (const st of states) out.set(keyOf(st), st);
  return out;
}

function union(a: LockStates, b: LockStates): LockStates {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  return stateSet([...a.values(), ...b.values()]);
}

function map(states: LockStates, f: (st: LockState) => LockState): LockStates {
  return stateSet([...states.values()].map(f));
}

function add(locks: readonly string[], lock: string): string[] {
  return [...new Set([...locks, lock])].sort();
}
