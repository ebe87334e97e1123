/**
 * The shared-memory accesses of one litmus process, in program order, with what lies
 * between them and what they depend on. Both the kernel-style test names (`naming.ts`) and
 * the search for outcomes the memory model cannot produce (`limits.ts`) read programs this
 * way, so that the two agree on what "a fence between two accesses" or "a control
 * dependency" means.
 *
 * The analysis is syntactic: an access inside an `if` is listed once, whichever branch runs.
 */

import type { AccessMode, LExpr, LInstr, LitmusProc } from '../litmus/types.ts';
import type { Fence } from './views.ts';

/** One `READ_ONCE`/`WRITE_ONCE`/acquire/release/`sc` access of a process. */
export interface ProcAccess {
  /** Position among the process's events (accesses, fences, lock operations). */
  readonly position: number;
  readonly kind: 'read' | 'write';
  readonly variable: string;
  readonly mode: AccessMode;
  /** Indexes (into `accesses`) of the reads the written value is computed from. */
  readonly data: ReadonlySet<number>;
  /** Indexes of the reads that decide whether this access runs (enclosing `if` conditions). */
  readonly ctrl: ReadonlySet<number>;
  /** The branches enclosing the access, outermost first, each `<if number><t|e>`. */
  readonly branches: readonly string[];
  /** The critical section it sits in (numbered per `spin_lock`), or `null`. */
  readonly section: number | null;
  /** Every lock held at the access (innermost last). */
  readonly locksHeld: readonly string[];
}

/** A fence or lock operation, placed among the accesses. */
export type ProcEvent = { readonly position: number; readonly branches: readonly string[] } & (
  | { readonly k: 'fence'; readonly fence: Fence }
  | { readonly k: 'lock' | 'unlock'; readonly lock: string }
);

/** A process as a list of accesses plus the fences and lock operations among them. */
export interface ProcShape {
  readonly accesses: readonly ProcAccess[];
  readonly events: readonly ProcEvent[];
}

/** What lies between two accesses of one process, on every path that runs both. */
export interface Between {
  /** The barriers; an `sc` access counts as `mb`, since it has one on either side. */
  readonly fences: ReadonlySet<Fence>;
  /** A `spin_unlock` of some lock, and after it a `spin_lock` of the same lock. */
  readonly unlockThenLock: boolean;
}

type Deps = Map<string, Set<number>>;

interface Walk {
  accesses: ProcAccess[];
  events: ProcEvent[];
  position: number;
  ifs: number;
  sections: number;
  open: { lock: string; section: number }[];
}

/** The accesses and events of `proc`, in program order. */
export function procShape(proc: LitmusProc): ProcShape {
  const walk: Walk = { accesses: [], events: [], position: 0, ifs: 0, sections: 0, open: [] };
  walkBody(walk, proc.body, new Map(), new Set(), []);
  return { accesses: walk.accesses, events: walk.events };
}

/** The fences and lock operations between accesses `a` and `b` (a before b). */
export function between(shape: ProcShape, a: ProcAccess, b: ProcAccess): Between {
  const fences = new Set<Fence>();
  const unlocked = new Set<string>();
  let unlockThenLock = false;
  const onPath = (e: { position: number; branches: readonly string[] }): boolean =>
    e.position > a.position &&
    e.position < b.position &&
    // An event inside a branch that encloses neither access may be skipped on a run of both.
    (isPrefix(e.branches, a.branches) || isPrefix(e.branches, b.branches));
  if (shape.accesses.some((c) => c.mode === 'sc' && onPath(c))) fences.add('mb');
  for (const event of shape.events) {
    if (!onPath(event)) continue;
    if (event.k === 'fence') fences.add(event.fence);
    else if (event.k === 'unlock') unlocked.add(event.lock);
    else if (unlocked.has(event.lock)) unlockThenLock = true;
  }
  return { fences, unlockThenLock };
}

/** Whether `a` and `b` sit in opposite branches of one `if`, so no run executes both. */
export function exclusive(a: ProcAccess, b: ProcAccess): boolean {
  const depth = Math.min(a.branches.length, b.branches.length);
  for (let i = 0; i < depth; i++) {
    if (a.branches[i] === b.branches[i]) continue;
    return a.branches[i].slice(0, -1) === b.branches[i].slice(0, -1);
  }
  return false;
}

function walkBody(
  walk: Walk,
  body: readonly LInstr[],
  deps: Deps,
  ctrl: ReadonlySet<number>,
  branches: readonly string[],
): void {
  for (const instr of body) walkInstr(walk, instr, deps, ctrl, branches);
}

function walkInstr(
  walk: Walk,
  instr: LInstr,
  deps: Deps,
  ctrl: ReadonlySet<number>,
  branches: readonly string[],
): void {
  const position = walk.position++;
  const section = walk.open.length === 0 ? null : walk.open[walk.open.length - 1].section;
  const locksHeld = walk.open.map((o) => o.lock);
  const common = { position, ctrl, branches, section, locksHeld };
  switch (instr.k) {
    case 'read':
      deps.set(instr.reg, new Set([walk.accesses.length]));
      walk.accesses.push({
        ...common,
        kind: 'read',
        variable: instr.var,
        mode: instr.mode,
        data: new Set(),
      });
      return;
    case 'write':
      walk.accesses.push({
        ...common,
        kind: 'write',
        variable: instr.var,
        mode: instr.mode,
        data: depsOf(instr.expr, deps),
      });
      return;
    case 'assign':
      deps.set(instr.reg, depsOf(instr.expr, deps));
      return;
    case 'fence':
      walk.events.push({ k: 'fence', position, fence: instr.fence, branches });
      return;
    case 'lock':
      walk.events.push({ k: 'lock', position, lock: instr.lock, branches });
      walk.open.push({ lock: instr.lock, section: walk.sections++ });
      return;
    case 'unlock': {
      walk.events.push({ k: 'unlock', position, lock: instr.lock, branches });
      const at = walk.open.map((o) => o.lock).lastIndexOf(instr.lock);
      if (at >= 0) walk.open.splice(at, 1);
      return;
    }
    case 'if':
      walkIf(walk, instr, deps, ctrl, branches);
      return;
  }
}

function walkIf(
  walk: Walk,
  instr: Extract<LInstr, { k: 'if' }>,
  deps: Deps,
  ctrl: ReadonlySet<number>,
  branches: readonly string[],
): void {
  const id = walk.ifs++;
  const inner = new Set([...ctrl, ...depsOf(instr.cond, deps)]);
  const thenDeps = copyDeps(deps);
  const elseDeps = copyDeps(deps);
  walkBody(walk, instr.then, thenDeps, inner, [...branches, `${id}t`]);
  walkBody(walk, instr.else, elseDeps, inner, [...branches, `${id}e`]);
  // After the join a register may hold either branch's value: it depends on both.
  for (const reg of new Set([...thenDeps.keys(), ...elseDeps.keys()])) {
    deps.set(reg, new Set([...(thenDeps.get(reg) ?? []), ...(elseDeps.get(reg) ?? [])]));
  }
}

function copyDeps(deps: Deps): Deps {
  return new Map([...deps].map(([reg, set]) => [reg, new Set(set)]));
}

function depsOf(expr: LExpr, deps: Deps): Set<number> {
  switch (expr.k) {
    case 'num':
      return new Set();
    case 'reg':
      return new Set(deps.get(expr.name) ?? []);
    case 'bin':
      return new Set([...depsOf(expr.left, deps), ...depsOf(expr.right, deps)]);
    case 'not':
      return depsOf(expr.arg, deps);
  }
}

function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((step, i) => path[i] === step);
}
