/**
 * Litmus test names in the Linux kernel's convention: the pattern (`MP`, `SB`, `LB`, ...),
 * then each process's primitives, joined by `+`, as in `MP+fencewmbonceonce+fencermbonceonce`.
 *
 * A process is described by its shared-memory accesses in program order. Each pair of
 * consecutive accesses gives one segment: the relation between them, then the kind of each
 * access (`once`, `acquire`, `release`, or `sc` for a JavaScript `Atomics` access). Segments
 * are joined by `-`. The relation is, in this order of precedence:
 *
 * - `fence<mb|wmb|rmb>` when a barrier lies between them (`fencemb` if any is `smp_mb`);
 * - `unlocklock` when a `spin_unlock` and then a `spin_lock` of the same lock lie between;
 * - `ctrl` or `data` when the second access is a write depending on the first one's value;
 * - `po`, plain program order, otherwise.
 *
 * When both accesses sit in one critical section, the kinds are written once if equal and
 * followed by `lock`, as the kernel's `pooncelock`. A process with a single access is its
 * kind, capitalized (`Once`); one with none is `Nop`. In the name, processes with one access
 * come last, run together (`OnceOnce`); when two or more processes share one description it
 * is written once with an `s` (`SB+fencembonceonces`, `WRC+poonceonces+Once`).
 *
 * Reads-from inside a process (the kernel's `rfi`) is a property of executions, not of the
 * program text, so it is described as `po`.
 */

import { between, procShape, type ProcAccess, type ProcShape } from '../memory/accesses.ts';
import type { LitmusProc } from './types.ts';

/** One process's primitives in the kernel's naming convention, e.g. `fencewmbonceonce`. */
export function describeProc(proc: LitmusProc): string {
  const shape = procShape(proc);
  const { accesses } = shape;
  if (accesses.length === 0) return 'Nop';
  if (accesses.length === 1) {
    const kind = accesses[0].mode;
    return kind.charAt(0).toUpperCase() + kind.slice(1);
  }
  const segments: string[] = [];
  for (let i = 0; i + 1 < accesses.length; i++) {
    segments.push(segment(shape, i));
  }
  return segments.join('-');
}

/** The test name: `pattern`, then the processes' descriptions (see the module comment). */
export function kernelName(pattern: string, procs: LitmusProc[]): string {
  const descriptions = procs.map(describeProc);
  const single = (d: string): boolean => /^[A-Z]/.test(d);
  const multi = descriptions.filter((d) => !single(d));
  const parts =
    multi.length >= 2 && multi.every((d) => d === multi[0]) ? [`${multi[0]}s`] : [...multi];
  const singles = descriptions.filter(single);
  if (singles.length > 0) parts.push(singles.join(''));
  return [pattern, ...parts].join('+');
}

function segment(shape: ProcShape, i: number): string {
  const a = shape.accesses[i];
  const b = shape.accesses[i + 1];
  const oneSection = a.section !== null && a.section === b.section;
  const kinds = a.mode === b.mode && oneSection ? a.mode : a.mode + b.mode;
  return relation(shape, a, b, i) + kinds + (oneSection ? 'lock' : '');
}

function relation(shape: ProcShape, a: ProcAccess, b: ProcAccess, i: number): string {
  const { fences, unlockThenLock } = between(shape, a, b);
  if (fences.has('mb')) return 'fencemb';
  if (fences.size > 0) return `fence${[...fences].sort().reverse().join('')}`;
  if (unlockThenLock) return 'unlocklock';
  if (b.kind === 'write' && b.ctrl.has(i)) return 'ctrl';
  if (b.kind === 'write' && b.data.has(i)) return 'data';
  return 'po';
}

/**
 * A short name for the long processes that inlined mempool operations make, where the
 * access-by-access description would run to hundreds of characters: the pattern, then per
 * process its barriers in program order (`wmb`, `rmb`, `mb`, `acquire`, `release`, repeats
 * run together), `lock` for a process whose only ordering is spin locks, and `po` for one with
 * none. The reserve hand-off of kernel commit 5b990546 is `mempool-handoff+wmb+rmb`. As in
 * the kernel's names, processes that all have the same description are written once with an
 * `s`: two that each issue `smp_wmb()` make `+wmbs`.
 */
export function compactName(pattern: string, procs: LitmusProc[]): string {
  const descriptions = procs.map(primitives);
  const same = descriptions.length >= 2 && descriptions.every((d) => d === descriptions[0]);
  return [pattern, ...(same ? [`${descriptions[0]}s`] : descriptions)].join('+');
}

function primitives(proc: LitmusProc): string {
  const seen: string[] = [];
  let locks = false;
  const visit = (body: LitmusProc['body']): void => {
    for (const instr of body) {
      if (instr.k === 'if') {
        visit(instr.then);
        visit(instr.else);
        continue;
      }
      let p: string | null = null;
      if (instr.k === 'fence') p = instr.fence;
      else if (instr.k === 'read' && instr.mode !== 'once') p = instr.mode;
      else if (instr.k === 'write' && instr.mode !== 'once') p = instr.mode;
      else if (instr.k === 'lock') locks = true;
      if (p !== null && seen[seen.length - 1] !== p) seen.push(p);
    }
  };
  visit(proc.body);
  if (seen.length > 0) return seen.join('');
  return locks ? 'lock' : 'po';
}
