import type { Memory } from './memory.ts';
import type { Value } from './program.ts';

/**
 * The explorer's state: every thread's place in its operation and its client program, the
 * memory (messages and views), and the pool's parts that are not memory words (the reserve's
 * elements, the backing allocator, the ghosts). States are copied on write: a transition
 * copies the state shallowly and only the thread it moves.
 */

/** A thread can take a step (possibly blocked on a lock). */
export const RUN = 0;
/** Asleep on a wait queue until woken or until its timeout. */
export const ASLEEP = 1;
/** Finished its client program. */
export const DONE = 2;

/** One thread. */
export interface ThreadState {
  /** Index of the operation it is in, or -1 between operations. */
  op: number;
  pc: number;
  /** The operation's parameters and locals, laid out by `CompiledOp.slots`. */
  locals: Value[];
  status: number;
  /** The wait queue it is on, or -1. */
  queue: number;
  /** A wake found it on its queue since it joined. */
  woken: boolean;
  /** Scenario: the client program counter. Parameter ranges: operations left. */
  cpc: number;
  /** Scenario: the registers. Parameter ranges: the elements it holds, ascending. */
  regs: Value[];
}

/** A property broken by the transition that led to a state. */
export interface Violation {
  property: string;
  message: string;
}

/** The whole state. */
export interface State {
  threads: ThreadState[];
  mem: Memory;
  /** The reserve's elements, bottom first. */
  reserve: number[];
  /** Ghost values, in declaration order. */
  ghosts: number[];
  /** Handles out of the backing allocator: bit h-1 for handle h. */
  out: number;
  /** Bit q: some `wake` of queue q found a thread on it. */
  woke: number;
  /** The limit of the backing allocator: create's elements plus `capacity`. */
  limit: number;
  /** destroy has run: the pool is gone, its invariants no longer apply. */
  destroyed: boolean;
  violation: Violation | null;
}

/** A copy of `s` that may change the thread `t` (and the top-level fields) freely. */
export function fork(s: State, t: number): State {
  const threads = s.threads.slice();
  if (t >= 0) threads[t] = cloneThread(threads[t]);
  return { threads, mem: s.mem, reserve: s.reserve, ghosts: s.ghosts, out: s.out, woke: s.woke,
    limit: s.limit, destroyed: s.destroyed, violation: s.violation };
}

/** A copy of one thread. */
export function cloneThread(th: ThreadState): ThreadState {
  return { op: th.op, pc: th.pc, locals: th.locals.slice(), status: th.status, queue: th.queue,
    woken: th.woken, cpc: th.cpc, regs: th.regs.slice() };
}

/** A fresh thread before its first call. */
export function newThread(cpc: number, regs: Value[]): ThreadState {
  return { op: -1, pc: 0, locals: [], status: RUN, queue: -1, woken: false, cpc, regs };
}

/** The number of handles out of the backing allocator. */
export function outCount(out: number): number {
  let n = 0;
  for (let x = out; x !== 0; x &= x - 1) n++;
  return n;
}

/** The lowest handle not out, or 0 when `limit` handles are out. */
export function lowestFreeHandle(out: number, limit: number): number {
  if (outCount(out) >= limit) return 0;
  for (let h = 1; h <= 30; h++) if ((out & (1 << (h - 1))) === 0) return h;
  return 0;
}
