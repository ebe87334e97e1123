import { getHeapStatistics } from 'node:v8';
import { CoverSet, Hash64 } from './hash.ts';
import { stateHash } from './keys.ts';
import type { Machine } from './machine.ts';
import type { Judge } from './properties.ts';
import type { State, Violation } from './state.ts';

/**
 * The two ways the checker walks a configuration's states: breadth-first over all of them
 * (so the first violation found has a shortest trace), or seeded random walks when the
 * bounds are too big to exhaust.
 */

/** What a search found. */
export interface SearchResult {
  /** Distinct states reached. */
  states: number;
  /** Transitions taken, duplicates included. */
  transitions: number;
  /** The deepest level reached (BFS), or the longest walk. */
  depth: number;
  /** Every reachable state was visited. */
  exhaustive: boolean;
  /** The search stopped at the state limit, or (with `heapFull`) when memory ran short. */
  limitHit: boolean;
  /** The search stopped early because the heap was nearly full (see `heapNearlyFull`). */
  heapFull?: boolean;
  /** The first violation, with the successor indexes that lead to it from the start. */
  violation: { violation: Violation; path: number[] } | null;
  /** A quiescent state showed the scenario's outcome (for `sometimes` scenarios). */
  outcomeSeen: boolean;
}

/** Options of a breadth-first search. */
export interface BfsOptions {
  /** Stop (not exhaustive) after this many distinct states. */
  stateLimit: number;
  /** Called now and then with the number of states so far. */
  onProgress?: (states: number) => void;
}

/**
 * The share of V8's heap limit above which a search stops rather than let the process die
 * of an out-of-memory crash: BFS keeps a whole level of full states, and with many threads a
 * level outgrows the heap long before the state limit.
 */
export const HEAP_STOP_FRACTION = 0.7;

/** True when the used heap is above HEAP_STOP_FRACTION of the limit (checked every 4096 states). */
export function heapNearlyFull(): boolean {
  const { used_heap_size: used, heap_size_limit: limit } = getHeapStatistics();
  return used > HEAP_STOP_FRACTION * limit;
}

/** Explores every state reachable from `initial`, level by level. */
export function bfs(machine: Machine, judge: Judge, initial: State,
  opts: BfsOptions): SearchResult {
  const seen = new CoverSet();
  const h = new Hash64();
  const calls = stateHash(initial, machine.keyContext, h);
  seen.add(h.lo, h.hi, calls);
  let parent: Int32Array = new Int32Array(1024);
  let choice: Int32Array = new Int32Array(1024);
  parent[0] = -1;
  let count = 1;
  let transitions = 0;
  let outcomeSeen = false;
  const result = (depth: number, extra: Partial<SearchResult>): SearchResult => ({
    states: count, transitions, depth, exhaustive: false, limitHit: false, violation: null,
    outcomeSeen, ...extra,
  });
  const pathTo = (id: number): number[] => {
    const path: number[] = [];
    for (let at = id; parent[at] >= 0; at = parent[at]) path.push(choice[at]);
    return path.reverse();
  };

  const first = judge.checkState(initial);
  if (first) return result(0, { violation: { violation: first, path: [] } });
  let frontier: { state: State; id: number }[] = [{ state: initial, id: 0 }];
  let depth = 0;
  while (frontier.length > 0) {
    const next: { state: State; id: number }[] = [];
    for (const { state, id } of frontier) {
      const { successors, quiescent } = machine.expand(state, false);
      if (quiescent) {
        const v = judge.checkQuiescent(state);
        if (v) return result(depth, { violation: { violation: v, path: pathTo(id) } });
        outcomeSeen ||= judge.outcomeHolds(state);
      }
      for (let i = 0; i < successors.length; i++) {
        transitions++;
        const succ = successors[i].state;
        if (succ.violation) {
          const path = [...pathTo(id), i];
          return result(depth + 1, { violation: { violation: succ.violation, path } });
        }
        const calls = stateHash(succ, machine.keyContext, h);
        if (!seen.add(h.lo, h.hi, calls)) continue;
        if (count === parent.length) {
          parent = grow(parent);
          choice = grow(choice);
        }
        parent[count] = id;
        choice[count] = i;
        const newId = count++;
        const v = judge.checkState(succ);
        if (v) return result(depth + 1, { violation: { violation: v, path: pathTo(newId) } });
        if (count >= opts.stateLimit) return result(depth + 1, { limitHit: true });
        if ((count & 0xfff) === 0 && heapNearlyFull()) {
          return result(depth + 1, { limitHit: true, heapFull: true });
        }
        if ((count & 0xffff) === 0) opts.onProgress?.(count);
        next.push({ state: succ, id: newId });
      }
    }
    frontier = next;
    if (next.length > 0) depth++;
  }
  return result(depth, { exhaustive: true });
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Options of the random-walk mode. */
export interface WalkOptions {
  walks: number;
  seed: number;
  /** A walk stops after this many steps even if it could go on. */
  maxDepth: number;
  stateLimit: number;
}

/**
 * `walks` random walks from `initial`, each step a uniformly chosen successor, checking every
 * state on the way. Deterministic for a given seed. Never exhaustive.
 */
export function randomWalks(machine: Machine, judge: Judge, initial: State,
  opts: WalkOptions): SearchResult {
  const random = mulberry32(opts.seed);
  const seen = new CoverSet();
  const h = new Hash64();
  let transitions = 0;
  let depth = 0;
  let outcomeSeen = false;
  const result = (extra: Partial<SearchResult>): SearchResult => ({
    states: seen.size, transitions, depth, exhaustive: false, limitHit: false, violation: null,
    outcomeSeen, ...extra,
  });
  for (let w = 0; w < opts.walks; w++) {
    let state = initial;
    const path: number[] = [];
    const first = judge.checkState(state);
    if (first) return result({ violation: { violation: first, path } });
    for (let d = 0; d < opts.maxDepth; d++) {
      const { successors, quiescent } = machine.expand(state, false);
      if (quiescent) {
        const v = judge.checkQuiescent(state);
        if (v) return result({ violation: { violation: v, path } });
        outcomeSeen ||= judge.outcomeHolds(state);
      }
      if (successors.length === 0) break;
      const i = Math.floor(random() * successors.length);
      path.push(i);
      transitions++;
      depth = Math.max(depth, path.length);
      state = successors[i].state;
      if (seen.size < opts.stateLimit) {
        const calls = stateHash(state, machine.keyContext, h);
        seen.add(h.lo, h.hi, calls);
      }
      const v = judge.checkState(state);
      if (v) return result({ violation: { violation: v, path } });
    }
  }
  return result({});
}

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same walks. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
