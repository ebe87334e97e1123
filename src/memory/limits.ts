/**
 * Which litmus tests the views model (`views.ts`) cannot judge.
 *
 * In the model a read returns only a write that has already executed, and a write joins
 * coherence order (`co`) after every write that executed before it. So an outcome whose
 * execution has a cycle in program order (`po`), reads-from (`rf`) and `co` never appears.
 * The kernel memory model allows some of those outcomes: load buffering (LB), and 2+2W or S
 * without barriers. It forbids the ones where every step of the cycle inside a process is
 * ordered: by `smp_mb`, an `sc` access, an acquire read, a release write, or a data or
 * control dependency from a read to a later write.
 *
 * `outOfOrderCycle` looks for a cycle of that kind with at least one unordered step. Where it
 * finds one, the model may be missing an outcome, so a `Never` or `Always` verdict is not to
 * be trusted (a `Sometimes` is: missing outcomes cannot take away the ones that were found).
 * The check over-approximates: it treats every write to a variable as a possible source for
 * every read of it in another process, whatever the values.
 *
 * Two writes in one process count as ordered under `smp_mb`, `smp_wmb`, `sc`, or when the
 * later one is a release: the kernel model's cumul-fence orders them, which is why it
 * forbids 2+2W and S with `smp_wmb` on the writing side.
 */

import type { LitmusTest } from '../litmus/types.ts';
import { between, exclusive, procShape, type ProcAccess, type ProcShape } from './accesses.ts';

interface Node {
  readonly proc: number;
  readonly access: number;
}

/**
 * A cycle through the test's processes that the memory model cannot produce and the kernel
 * memory model may allow, described in words (`P0 reads x then writes y; ...`), or `null`
 * when the test has none and the model's verdict stands.
 */
export function outOfOrderCycle(test: LitmusTest): string | null {
  const shapes = test.procs.map(procShape);
  const guarded = lockGuardedVariables(shapes);
  for (const [proc, shape] of shapes.entries()) {
    for (const [from, to] of poSteps(shape)) {
      if (isOrdered(shape, from, to) || enteredUnderLock(shape, from, guarded)) continue;
      const path = findPath(shapes, { proc, access: to }, { proc, access: from });
      if (path !== null) return describe(shapes, [{ proc, access: from }, ...path]);
    }
  }
  return null;
}

/**
 * Variables that every process accesses only while holding one same lock, with that lock.
 * An `rf`, `co` or `fr` edge between two such accesses runs from one critical section of the
 * lock to a later one, so it passes through an unlock and the next holder's `spin_lock`.
 */
function lockGuardedVariables(shapes: ProcShape[]): Map<string, string> {
  const candidates = new Map<string, Set<string> | null>();
  for (const shape of shapes) {
    for (const a of shape.accesses) {
      const held = new Set(a.locksHeld);
      const before = candidates.get(a.variable);
      if (before === null) continue;
      const common = before === undefined ? held : new Set([...before].filter((l) => held.has(l)));
      candidates.set(a.variable, common.size === 0 ? null : common);
    }
  }
  const guarded = new Map<string, string>();
  for (const [variable, locks] of candidates) {
    if (locks) guarded.set(variable, [...locks].sort()[0]);
  }
  return guarded;
}

/**
 * A cycle that arrives in a process at an access of a lock-guarded variable arrives through
 * that lock's `spin_lock`, an acquire, which orders everything after it in the process: the
 * step that leaves from such an access is ordered.
 */
function enteredUnderLock(shape: ProcShape, from: number, guarded: Map<string, string>): boolean {
  const a = shape.accesses[from];
  const lock = guarded.get(a.variable);
  return lock !== undefined && a.locksHeld.includes(lock);
}

/** Steps inside one process a cycle may take: to a later write of another variable. */
function poSteps(shape: ProcShape): [number, number][] {
  const steps: [number, number][] = [];
  shape.accesses.forEach((a, i) => {
    shape.accesses.forEach((b, j) => {
      const usable = j > i && b.kind === 'write' && b.variable !== a.variable && !exclusive(a, b);
      if (usable) steps.push([i, j]);
    });
  });
  return steps;
}

function isOrdered(shape: ProcShape, from: number, to: number): boolean {
  const a = shape.accesses[from];
  const b = shape.accesses[to];
  if (a.mode === 'sc' || b.mode === 'sc') return true;
  const { fences, unlockThenLock } = between(shape, a, b);
  if (fences.has('mb')) return true;
  // po-unlock-lock-po is a cumul-fence in the kernel model: it orders write before write.
  if (a.kind === 'write' && b.kind === 'write' && unlockThenLock) return true;
  // The kernel model orders a write before a later write by smp_wmb or a release
  // (cumul-fence), which forbids 2+2W and S with those on the writing side.
  if (a.kind === 'write') return fences.has('wmb') || b.mode === 'release';
  return a.mode === 'acquire' || b.mode === 'release' || b.data.has(from) || b.ctrl.has(from);
}

/**
 * A path from the write `start` to the access `goal`, alternating a step to another process
 * (`rf` or `co`, leaving from a write) and a `po` step inside the process arrived in. The
 * path lists, per process visited, the access arrived at and the write left from.
 */
function findPath(shapes: ProcShape[], start: Node, goal: Node): Node[] | null {
  const parent = new Map<string, { node: Node; via: Node | null }>();
  const queue: Node[] = [start];
  parent.set(key(start), { node: start, via: null });
  while (queue.length > 0) {
    const write = queue.shift()!;
    for (const arrived of externalTargets(shapes, write)) {
      if (arrived.proc === goal.proc && arrived.access === goal.access) {
        return unwind(parent, write, arrived);
      }
      for (const [from, to] of poSteps(shapes[arrived.proc])) {
        const next = { proc: arrived.proc, access: to };
        if (from !== arrived.access || parent.has(key(next))) continue;
        parent.set(key(next), { node: arrived, via: write });
        queue.push(next);
      }
    }
  }
  return null;
}

function externalTargets(shapes: ProcShape[], write: Node): Node[] {
  const variable = shapes[write.proc].accesses[write.access].variable;
  const targets: Node[] = [];
  shapes.forEach((shape, proc) => {
    if (proc === write.proc) return;
    shape.accesses.forEach((a: ProcAccess, access) => {
      if (a.variable === variable) targets.push({ proc, access });
    });
  });
  return targets;
}

function unwind(
  parent: Map<string, { node: Node; via: Node | null }>,
  lastWrite: Node,
  arrived: Node,
): Node[] {
  const path: Node[] = [arrived];
  let write: Node | null = lastWrite;
  while (write !== null) {
    const entry: { node: Node; via: Node | null } = parent.get(key(write))!;
    path.unshift(write);
    if (entry.via === null) break;
    path.unshift(entry.node);
    write = entry.via;
  }
  return path;
}

function describe(shapes: ProcShape[], cycle: Node[]): string {
  const steps: string[] = [];
  for (let i = 0; i + 1 < cycle.length; i += 2) {
    const [a, b] = [cycle[i], cycle[i + 1]];
    const first = shapes[a.proc].accesses[a.access];
    const second = shapes[b.proc].accesses[b.access];
    const then = `${verb(second)} ${second.variable}`;
    steps.push(`P${a.proc} ${verb(first)} ${first.variable} then ${then}`);
  }
  return steps.join('; ');
}

function verb(access: ProcAccess): string {
  return access.kind === 'read' ? 'reads' : 'writes';
}

function key(node: Node): string {
  return `${node.proc}:${node.access}`;
}
